import { DockerProvider } from "../server/sandbox/providers/docker/provider";

/**
 * Removes every sandbox this e2e run created (found by its instance label)
 * and every cgroup fence directory of the instance, also those of sandboxes
 * the server removed while a fence could not go.
 */
export default async function teardown() {
  const instance = process.env.E2E_INSTANCE;
  if (!instance) return;
  const provider = new DockerProvider({ instance, log: (msg) => console.log(`e2e teardown: ${msg}`) });
  const removed = await provider.destroyAll().catch((err: unknown) => {
    console.log(`e2e teardown: could not remove the sandboxes of ${instance}: ${(err as Error).message}`);
    return 0;
  });
  if (removed) console.log(`e2e teardown: removed ${removed} sandbox(es) of ${instance}`);
}
