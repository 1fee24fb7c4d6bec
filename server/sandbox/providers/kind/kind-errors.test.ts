import { describe, expect, it } from "vitest";
import { classifyCreateFailure, inotifyProblem, inotifyVerdict, kindMissing, outOfMemory } from "./kind-errors";
import type { KindRun } from "./kind-cli";
import { fixture } from "./test-fixtures";

function failed(stderr: string, extra: Partial<KindRun> = {}): KindRun {
  return { argv: ["/usr/local/bin/kind", "create", "cluster"], exitCode: 1, stdout: "", stderr, timedOut: false, durationMs: 1, ...extra };
}
const IMAGE = "runtime-labs/kind-node:dev";

describe("error sentences for kind failures", () => {
  it("kind missing: says to install kind or set KIND_BIN", () => {
    expect(kindMissing(undefined).message).toMatch(/kind is not installed.*install kind.*PATH.*KIND_BIN/);
    expect(kindMissing("/opt/kind").message).toMatch(/KIND_BIN points at \/opt\/kind/);
  });

  it("Docker unreachable (docker CLI's sentence inside kind's error)", () => {
    const e = classifyCreateFailure(failed(fixture("kind-create-docker-unreachable.txt")), IMAGE);
    expect(e.code).toBe("DOCKER_UNREACHABLE");
    expect(e.message).toMatch(/Docker is not reachable.*start Docker/);
    expect(e.detail).toContain("Cannot connect to the Docker daemon");
  });

  it("docker CLI missing", () => {
    const e = classifyCreateFailure(failed(fixture("kind-create-docker-missing.txt")), IMAGE);
    expect(e.message).toMatch(/needs the `docker` command/);
  });

  it("node never booted: names both inotify sysctls", () => {
    const e = classifyCreateFailure(failed(fixture("kind-create-systemd-timeout.txt")), IMAGE);
    expect(e.message).toMatch(/did not finish booting/);
    expect(e.message).toContain("fs.inotify.max_user_instances=512");
    expect(e.message).toContain("fs.inotify.max_user_watches=524288");
  });

  it("too many open files in the output: inotify sentence", () => {
    const e = classifyCreateFailure(failed(fixture("kind-node-log-inotify.txt")), IMAGE);
    expect(e.message).toMatch(/too few inotify watches and instances.*sudo sysctl -w fs\.inotify\.max_user_watches=524288 fs\.inotify\.max_user_instances=512/);
  });

  it("exit 137 while creating: out of memory, as a capacity problem", () => {
    const e = classifyCreateFailure(failed(fixture("kind-create-oom.txt")), IMAGE);
    expect(e.code).toBe("CAPACITY");
    expect(e.message).toMatch(/ran out of memory/);
  });

  it("missing node image names the build script", () => {
    const e = classifyCreateFailure(
      failed(
        'ERROR: failed to create cluster: failed to pull image "runtime-labs/kind-node:dev": command "docker pull runtime-labs/kind-node:dev" failed with error: exit status 1\nCommand Output: Error response from daemon: pull access denied for runtime-labs/kind-node',
      ),
      IMAGE,
    );
    expect(e.code).toBe("IMAGE_MISSING");
    expect(e.message).toContain("scripts/build-kind-image.sh");
  });

  it("timeout and unknown failures keep kind's output as detail", () => {
    expect(classifyCreateFailure(failed("", { timedOut: true, exitCode: null }), IMAGE).message).toMatch(/took too long/);
    const other = classifyCreateFailure(failed("ERROR: something new"), IMAGE);
    expect(other.message).toBe("kind could not create the cluster.");
    expect(other.detail).toContain("ERROR: something new");
  });

  it("inotify pre-check: says which sysctl to raise, only when too low", () => {
    expect(inotifyProblem({ maxUserWatches: 524288, maxUserInstances: 512 })).toBeNull();
    expect(inotifyProblem({ maxUserWatches: 8192, maxUserInstances: 512 })!.message).toMatch(/too few inotify watches .*fs\.inotify\.max_user_watches=524288`/);
    expect(inotifyProblem({ maxUserWatches: 1_000_000, maxUserInstances: 128 })!.message).toMatch(/too few inotify instances .*fs\.inotify\.max_user_instances=512`/);
    const both = inotifyProblem({ maxUserWatches: 8192, maxUserInstances: 128 })!;
    expect(both.message).toMatch(/watches and instances/);
    expect(both.detail).toBe("max_user_watches=8192, max_user_instances=128");
  });

  it("inotify: warns between the kernel's defaults and kind's recommendation, refuses below the defaults", () => {
    expect(inotifyVerdict({ maxUserWatches: 524288, maxUserInstances: 512 })).toBeNull();
    expect(inotifyVerdict({ maxUserWatches: 65536, maxUserInstances: 128 })).toMatchObject({ action: "warn" });
    expect(inotifyVerdict({ maxUserWatches: 8192, maxUserInstances: 256 })!.action).toBe("warn");
    const refused = inotifyVerdict({ maxUserWatches: 4096, maxUserInstances: 512 })!;
    expect(refused.action).toBe("refuse");
    expect(refused.error.message).toMatch(/sysctl -w fs\.inotify\.max_user_watches=524288/);
  });

  it("out of memory before creating: how much is needed and left", () => {
    const e = outOfMemory(2 * 2 ** 30, 2 ** 29);
    expect(e.code).toBe("CAPACITY");
    expect(e.message).toBe("This host does not have enough memory for another cluster (each needs 2.0 GiB, 0.5 GiB is left); end a cluster lab or give Docker more memory.");
  });
});
