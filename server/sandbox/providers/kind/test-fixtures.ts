/**
 * Test helpers of the kind provider: samples from test/fixtures/kind (see its
 * README for their sources), and the options the server would build from
 * its environment.
 */
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { isolationPolicyFromEnv } from "../docker/engine-profile";
import { DEFAULT_NODE_IMAGE } from "../docker/node-spec";
import { DEFAULT_KIND_DOCKER_HOST, type KindProviderOptions } from "./provider";

export const KIND_FIXTURES = path.resolve(import.meta.dirname, "../../../../test/fixtures/kind");

export function fixture(name: string): string {
  return readFileSync(path.join(KIND_FIXTURES, name), "utf8");
}

/**
 * Compares `actual` with a golden file; with UPDATE_GOLDEN=1 rewrites it
 * instead (then review the diff before committing).
 */
export function golden(name: string, actual: string): { expected: string; actual: string } {
  const file = path.join(KIND_FIXTURES, "golden", name);
  if (process.env.UPDATE_GOLDEN === "1") writeFileSync(file, actual);
  return { expected: readFileSync(file, "utf8"), actual };
}

/**
 * What the server gives the kind provider from its environment (services.ts),
 * read from this test process's: tests then run against the engine, kind and
 * images the person running them configured.
 */
export function kindOptionsFromTestEnv(): Omit<KindProviderOptions, "dataDir"> {
  const env = process.env;
  return {
    dockerHost: env.KIND_DOCKER_HOST || DEFAULT_KIND_DOCKER_HOST,
    kindBin: env.KIND_BIN?.trim() || undefined,
    kindEnvironment: env,
    labImagesFrom: env.LABS_NODE_IMAGE ?? DEFAULT_NODE_IMAGE,
    isolation: { required: isolationPolicyFromEnv(env).required },
  };
}
