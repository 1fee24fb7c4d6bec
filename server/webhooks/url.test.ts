import { describe, expect, it } from "vitest";
import { parseWebhookUrl } from "./url";

const PRIVATE_OK = { allowPrivateTargets: true };

describe("webhook URLs", () => {
  it("accepts http and https, dropping a fragment", () => {
    expect(parseWebhookUrl(" https://lms.example.edu/hooks?x=1#frag ").toString()).toBe("https://lms.example.edu/hooks?x=1");
    expect(parseWebhookUrl("http://93.184.216.34:8080/in").toString()).toBe("http://93.184.216.34:8080/in");
  });

  it("refuses other schemes, credentials and non-URLs with a sentence", () => {
    expect(() => parseWebhookUrl("file:///etc/passwd")).toThrow("Webhook URLs must start with https:// (or http://), not file://.");
    expect(() => parseWebhookUrl("gopher://example.com/")).toThrow(/must start with https/);
    expect(() => parseWebhookUrl("https://user:pw@example.com/")).toThrow(/Leave user names and passwords out/);
    expect(() => parseWebhookUrl("not a url")).toThrow(/is not a URL/);
    expect(() => parseWebhookUrl(`https://example.com/${"a".repeat(2001)}`)).toThrow("The webhook URL can be at most 2000 characters (this one has 2021).");
  });

  it("refuses loopback, private, link-local and local names by default, saying what to do", () => {
    expect(() => parseWebhookUrl("http://127.0.0.1:8080/in")).toThrow(
      "Webhooks may not be sent to 127.0.0.1: it is a loopback address (127.0.0.0/8). Use a receiver reachable from the internet, or ask the operator to set WEBHOOK_ALLOW_PRIVATE_TARGETS=1 if it really runs inside their network.",
    );
    expect(() => parseWebhookUrl("http://169.254.169.254/latest/meta-data/")).toThrow(/metadata/);
    expect(() => parseWebhookUrl("http://localhost:3000/")).toThrow(/it is a name for this machine/);
    expect(() => parseWebhookUrl("https://grader.localhost/")).toThrow(/name for this machine/);
    expect(() => parseWebhookUrl("http://[::1]:9000/")).toThrow(/loopback address \(::1\)/);
    expect(() => parseWebhookUrl("http://[::ffff:10.1.2.3]/")).toThrow(/private network address \(10\.0\.0\.0\/8\), written as IPv6/);
    expect(() => parseWebhookUrl("http://[fd00::5]/")).toThrow(/unique local/);
    expect(() => parseWebhookUrl("http://192.168.1.10/")).toThrow(/private/);
    expect(() => parseWebhookUrl("http://100.100.100.200/")).toThrow(/carrier-grade NAT/);
    expect(() => parseWebhookUrl("http://0.0.0.0:3000/")).toThrow(/unspecified/);
  });

  it("sees through the spellings URL parsing normalises (decimal, octal, hex, short forms)", () => {
    for (const url of ["http://2130706433/", "http://0x7f.0.0.1/", "http://0177.0.0.1/", "http://127.1/", "http://0/"]) {
      expect(() => parseWebhookUrl(url), url).toThrow(/Webhooks may not be sent to/);
    }
  });

  it("allows all of them when the operator opts in", () => {
    expect(parseWebhookUrl("http://127.0.0.1:8080/in", PRIVATE_OK).toString()).toBe("http://127.0.0.1:8080/in");
    expect(parseWebhookUrl("http://localhost:3000/", PRIVATE_OK).host).toBe("localhost:3000");
    expect(parseWebhookUrl("http://[fe80::1]/", PRIVATE_OK).hostname).toBe("[fe80::1]");
    // Schemes and credentials stay refused whatever the policy.
    expect(() => parseWebhookUrl("file:///etc/passwd", PRIVATE_OK)).toThrow(/must start with https/);
  });
});
