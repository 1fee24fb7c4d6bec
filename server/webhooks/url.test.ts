import { describe, expect, it } from "vitest";
import { parseWebhookUrl } from "./url";

describe("webhook URLs", () => {
  it("accepts http and https, dropping a fragment", () => {
    expect(parseWebhookUrl(" https://lms.example.edu/hooks?x=1#frag ").toString()).toBe("https://lms.example.edu/hooks?x=1");
    expect(parseWebhookUrl("http://127.0.0.1:8080/in").toString()).toBe("http://127.0.0.1:8080/in");
  });

  it("refuses other schemes, credentials and non-URLs with a sentence", () => {
    expect(() => parseWebhookUrl("file:///etc/passwd")).toThrow("Webhook URLs must start with https:// (or http://), not file://.");
    expect(() => parseWebhookUrl("gopher://example.com/")).toThrow(/must start with https/);
    expect(() => parseWebhookUrl("https://user:pw@example.com/")).toThrow(/Leave user names and passwords out/);
    expect(() => parseWebhookUrl("not a url")).toThrow(/is not a URL/);
    expect(() => parseWebhookUrl(`https://example.com/${"a".repeat(2001)}`)).toThrow(/longer than 2000/);
  });
});
