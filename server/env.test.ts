import path from "node:path";
import { describe, expect, it } from "vitest";
import { EnvError, parseEnv } from "./env";

describe("parseEnv", () => {
  it("fills sensible defaults: loopback, port 3000, embedded database", () => {
    const env = parseEnv({});
    expect(env.PORT).toBe(3000);
    expect(env.HOST).toBe("127.0.0.1");
    expect(env.DATABASE_URL).toBeUndefined();
    expect(env.dataDir).toBe(path.resolve(".data"));
    expect(env.publicUrl).toBe("http://127.0.0.1:3000");
  });

  it("treats empty strings as unset", () => {
    expect(parseEnv({ PORT: "", DATABASE_URL: "" }).PORT).toBe(3000);
  });

  it("uses localhost in the public URL when listening on every interface", () => {
    expect(parseEnv({ HOST: "0.0.0.0", PORT: "8080" }).publicUrl).toBe("http://localhost:8080");
    expect(parseEnv({ PUBLIC_URL: "https://labs.example.com/" }).publicUrl).toBe("https://labs.example.com");
  });

  it("keeps webhooks away from private addresses unless told otherwise", () => {
    expect(parseEnv({}).WEBHOOK_ALLOW_PRIVATE_TARGETS).toBe(false);
    expect(parseEnv({ WEBHOOK_ALLOW_PRIVATE_TARGETS: "1" }).WEBHOOK_ALLOW_PRIVATE_TARGETS).toBe(true);
    expect(() => parseEnv({ WEBHOOK_ALLOW_PRIVATE_TARGETS: "maybe" })).toThrow(/WEBHOOK_ALLOW_PRIVATE_TARGETS/);
  });

  it("reads per-user rate limits, each at least one call a second (so a refused caller may always retry within a second)", () => {
    const env = parseEnv({ RATE_LIMIT_CGROUP_TREE_PER_SEC: "4", RATE_LIMIT_CGROUP_TREE_BURST: "8" });
    expect([env.RATE_LIMIT_CGROUP_TREE_PER_SEC, env.RATE_LIMIT_CGROUP_TREE_BURST, env.RATE_LIMIT_CHECK_NOW_PER_SEC, env.RATE_LIMIT_API_BURST]).toEqual([4, 8, 5, 40]);
    expect(() => parseEnv({ RATE_LIMIT_API_PER_SEC: "0.5" })).toThrow(/RATE_LIMIT_API_PER_SEC must be a whole number of calls a second, at least 1/);
    expect(() => parseEnv({ RATE_LIMIT_CHECK_NOW_BURST: "0" })).toThrow(/RATE_LIMIT_CHECK_NOW_BURST must be a whole number of calls, at least 1/);
  });

  it("takes the sandbox engine's DOCKER_HOST as an endpoint, and says what one looks like when it is not", () => {
    expect(parseEnv({}).DOCKER_HOST).toBeUndefined();
    expect(parseEnv({ DOCKER_HOST: "unix:///run/runtime-labs/docker.sock" }).DOCKER_HOST).toBe("unix:///run/runtime-labs/docker.sock");
    expect(parseEnv({ DOCKER_HOST: "tcp://10.0.0.2:2376" }).DOCKER_HOST).toBe("tcp://10.0.0.2:2376");
    expect(() => parseEnv({ DOCKER_HOST: "/var/run/docker.sock" })).toThrow(/DOCKER_HOST must be a Docker endpoint such as unix:\/\/\/var\/run\/docker.sock/);
  });

  it("reports every bad variable at once, naming each and what is expected", () => {
    let error: EnvError | undefined;
    try {
      parseEnv({ PORT: "99999", LABS_INSTANCE: "Has Spaces", NODE_ENV: "staging" });
    } catch (err) {
      error = err as EnvError;
    }
    expect(error).toBeInstanceOf(EnvError);
    expect(error!.issues).toHaveLength(3);
    expect(error!.issues).toContain('PORT must be between 1 and 65535 (got "99999")');
    expect(error!.issues.some((i) => i.startsWith("LABS_INSTANCE must be lowercase letters"))).toBe(true);
    expect(error!.issues.some((i) => i.startsWith("NODE_ENV"))).toBe(true);
  });

  it("never echoes a secret-bearing value in the error", () => {
    const bad = "mysql://root:hunter2@db/x";
    expect(() => parseEnv({ DATABASE_URL: bad })).toThrow(/DATABASE_URL must be a postgresql:\/\/ connection URL/);
    try {
      parseEnv({ DATABASE_URL: bad, AUTH_SECRET: "short" });
    } catch (err) {
      expect((err as Error).message).not.toContain("hunter2");
      expect((err as Error).message).not.toContain('"short"');
    }
  });
});
