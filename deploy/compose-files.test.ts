/**
 * docker-compose.local.yml is a full copy of docker-compose.yml (an override
 * cannot remove `ports`, which host networking forbids). These tests keep the
 * two in step: they may differ only where the local file's header says, and
 * the local file must obey this machine's network rule.
 */
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";

type Service = Record<string, unknown> & {
  image?: string;
  build?: Record<string, unknown>;
  environment?: Record<string, unknown>;
};
interface ComposeFile {
  services: Record<string, Service>;
  volumes?: Record<string, unknown>;
  networks?: unknown;
}

const root = path.resolve(__dirname, "..");
const load = (name: string) => parse(fs.readFileSync(path.join(root, name), "utf8")) as ComposeFile;
const base = load("docker-compose.yml");
const local = load("docker-compose.local.yml");

/** Environment entries the local file may set differently (or only it sets), per service. */
const LOCAL_ENVIRONMENT: Record<string, string[]> = {
  db: ["PGPORT"],
  app: ["HOST", "PORT", "DATABASE_URL"],
};

/** "${VAR:-default}" -> "VAR": the same knob, whatever its default. */
function variableOf(value: string | undefined): string | undefined {
  return value === undefined ? undefined : (/^\$\{([A-Z_]+):-/.exec(value)?.[1] ?? value);
}

/** A service with the differences the local file is allowed to have taken out. */
function comparable(name: string, s: Service): Service {
  const { ports: _ports, network_mode: _networkMode, command: _command, ...rest } = s;
  const out: Service = { ...rest, image: variableOf(s.image) };
  if (s.build) {
    const { network: _network, args, ...build } = s.build;
    out.build = { ...build, args: args && Object.keys(args) };
  }
  if (s.environment) {
    const skip = new Set(LOCAL_ENVIRONMENT[name] ?? []);
    out.environment = Object.fromEntries(Object.entries(s.environment).filter(([k]) => !skip.has(k)));
  }
  return out;
}

describe("docker-compose.local.yml", () => {
  it("has the same services and volumes as docker-compose.yml", () => {
    expect(Object.keys(local.services).sort()).toEqual(Object.keys(base.services).sort());
    expect(local.volumes).toEqual(base.volumes);
  });

  it.each(Object.keys(base.services))("service %s matches docker-compose.yml apart from networking, ports and base images", (name) => {
    expect(comparable(name, local.services[name]!)).toEqual(comparable(name, base.services[name]!));
  });

  it("creates no Docker network: every service uses the host's network or none, and none publishes ports", () => {
    expect(local.networks).toBeUndefined();
    for (const [name, s] of Object.entries(local.services)) {
      expect(["host", "none"], `service ${name}`).toContain(s.network_mode);
      expect(s.ports, `service ${name}`).toBeUndefined();
    }
  });

  it("binds the app and the database to loopback only", () => {
    expect(local.services.app!.environment!.HOST).toBe("127.0.0.1");
    expect(local.services.db!.command).toContain("listen_addresses=127.0.0.1");
  });
});

describe("docker-compose.yml", () => {
  it("publishes the app on loopback unless told otherwise", () => {
    expect(base.services.app!.ports).toEqual(["${LABS_BIND:-127.0.0.1}:${LABS_PORT:-3000}:3000"]);
  });

  it("pulls official images by default and never names our local stand-ins", () => {
    expect(base.services.db!.image).toBe("${LABS_POSTGRES_IMAGE:-postgres:15-bookworm}");
    expect(base.services.app!.build!.args).toEqual({ NODE_IMAGE: "${LABS_NODE_BASE_IMAGE:-node:20-bookworm-slim}" });
    expect(fs.readFileSync(path.join(root, "docker-compose.yml"), "utf8")).not.toContain("runtime-labs/local-");
  });

  it("starts the app only after the database is healthy and the node image is built", () => {
    expect(base.services.app!.depends_on).toEqual({
      db: { condition: "service_healthy" },
      "node-image": { condition: "service_completed_successfully" },
    });
  });
});
