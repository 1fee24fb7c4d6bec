import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { parseEnv, type EnvError } from "../../../env";
import { HostsConfigError, isLocalEndpoint, parseDockerHosts, parseMemory } from "./hosts";

/** The issues of a parse that must fail. */
function issuesOf(text: string, readFile?: (file: string) => string): string[] {
  try {
    parseDockerHosts(text, readFile);
  } catch (err) {
    expect(err).toBeInstanceOf(HostsConfigError);
    return (err as HostsConfigError).issues;
  }
  throw new Error(`${text} parsed without error`);
}

describe("DOCKER_HOSTS, short form", () => {
  it("reads names, endpoints, max, memory and tls", () => {
    expect(parseDockerHosts("a=unix:///var/run/docker.sock;max=20, b=tcp://10.1.2.3:2376;memory=48g;tls=/etc/labs/b")).toEqual([
      { name: "a", endpoint: "unix:///var/run/docker.sock", maxSandboxes: 20 },
      { name: "b", endpoint: "tcp://10.1.2.3:2376", memoryBytes: 48 * 1024 ** 3, tlsDir: "/etc/labs/b" },
    ]);
  });

  it("accepts one host per line as well as commas", () => {
    expect(parseDockerHosts("a=unix:///a.sock\nb=unix:///b.sock\n").map((h) => h.name)).toEqual(["a", "b"]);
  });

  it("reports every problem at once, naming the host and what is expected", () => {
    const issues = issuesOf("A=unix:///x;max=0,b=ftp://x;max=lots;memory=huge;colour=red,nonsense");
    expect(issues).toContain('host 1 ("A"): name must be lowercase letters, digits and dashes (at most 32) (got "A")');
    expect(issues).toContain('host 1 ("A"): max must be at least 1 (got 0)');
    expect(issues).toContain('host 2 ("b"): endpoint must be unix:///path, tcp://host:port or https://host:port (got "ftp://x")');
    expect(issues).toContain('host 2 ("b"): max must be a whole number of sandboxes (got "lots")');
    expect(issues).toContain('host 2 ("b"): memory must be a size such as 48g or 512m (got "huge")');
    expect(issues).toContain('host 2 ("b"): unknown option "colour" (expected max, memory or tls)');
    expect(issues).toContain('host 3 ("nonsense") must look like name=endpoint, e.g. a=unix:///var/run/docker.sock;max=20');
  });

  it("refuses a name or a daemon listed twice", () => {
    const issues = issuesOf("a=unix:///x.sock,a=unix:///y.sock,c=unix:///x.sock");
    expect(issues).toContain('host 2: the name "a" is already used by host 1; names must be unique');
    expect(issues).toContain('host 3 ("c"): unix:///x.sock is already host "a"; one daemon must appear once, or it would be counted twice');
  });

  it("refuses tls on a unix socket and an empty list", () => {
    expect(issuesOf("a=unix:///x.sock;tls=/certs")).toEqual(['host 1 ("a"): tls applies to tcp:// or https:// endpoints only']);
    expect(issuesOf(" , ")).toEqual(["must name at least one host"]);
  });
});

describe("DOCKER_HOSTS, JSON form", () => {
  it("reads an inline list", () => {
    expect(parseDockerHosts('[{"name":"a","endpoint":"unix:///a.sock","max":4,"memory":"8g"}]')).toEqual([{ name: "a", endpoint: "unix:///a.sock", maxSandboxes: 4, memoryBytes: 8 * 1024 ** 3 }]);
  });

  it("reads a file", () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "hosts-")), "hosts.json");
    fs.writeFileSync(
      file,
      JSON.stringify([
        { name: "a", endpoint: "unix:///a.sock" },
        { name: "b", endpoint: "https://b.example:2376", memory: 1073741824 },
      ]),
    );
    expect(parseDockerHosts(file)).toEqual([
      { name: "a", endpoint: "unix:///a.sock" },
      { name: "b", endpoint: "https://b.example:2376", memoryBytes: 1073741824 },
    ]);
  });

  it("says when the file is missing, is not JSON, or has unknown fields", () => {
    expect(issuesOf("/nowhere/hosts.json")).toEqual(["the file /nowhere/hosts.json cannot be read (ENOENT)"]);
    expect(issuesOf("./hosts.json", () => "{oops")[0]).toMatch(/^the file \.\/hosts\.json is not valid JSON: /);
    expect(issuesOf('[{"name":"a","endpoint":"unix:///a.sock","cpus":4}]')).toEqual(['host 1 ("a"): unknown option(s) "cpus" (expected name, endpoint, max, memory, tls)']);
    expect(issuesOf('{"name":"a"}')).toEqual(["must be a list of hosts"]);
  });
});

describe("sizes, endpoints and engine options", () => {
  it("reads memory sizes in binary units, as docker run --memory does", () => {
    expect(parseMemory("512m")).toBe(512 * 1024 ** 2);
    expect(parseMemory("1.5G")).toBe(1.5 * 1024 ** 3);
    expect(parseMemory("2GiB")).toBe(2 * 1024 ** 3);
    expect(parseMemory("4096")).toBe(4096);
    expect(parseMemory("0")).toBeNull();
    expect(parseMemory("lots")).toBeNull();
  });

  it("treats unix sockets as this machine and tcp as another", () => {
    expect(isLocalEndpoint("unix:///var/run/docker.sock")).toBe(true);
    expect(isLocalEndpoint("tcp://10.0.0.2:2375")).toBe(false);
  });
});

describe("DOCKER_HOSTS in the environment", () => {
  it("is parsed at start-up, with health defaults", () => {
    const env = parseEnv({ DOCKER_HOSTS: "a=unix:///a.sock;max=2" });
    expect(env.DOCKER_HOSTS).toEqual([{ name: "a", endpoint: "unix:///a.sock", maxSandboxes: 2 }]);
    expect(env.DOCKER_HOST_PING_MS).toBe(5000);
    expect(env.DOCKER_HOST_DOWN_AFTER).toBe(3);
    expect(parseEnv({}).DOCKER_HOSTS).toBeUndefined();
  });

  it("stops start-up with every problem named", () => {
    let error: EnvError | undefined;
    try {
      parseEnv({ DOCKER_HOSTS: "a=unix:///a.sock;max=0,b=ftp://b" });
    } catch (err) {
      error = err as EnvError;
    }
    expect(error?.issues.map((i) => i.replace(/ \(got "[^"]*"\)$/, ""))).toEqual([
      'DOCKER_HOSTS is not valid: host 1 ("a"): max must be at least 1 (got 0)',
      'DOCKER_HOSTS is not valid: host 2 ("b"): endpoint must be unix:///path, tcp://host:port or https://host:port (got "ftp://b")',
    ]);
  });
});
