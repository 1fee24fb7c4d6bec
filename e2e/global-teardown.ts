import { DockerProvider } from "../server/sandbox/providers/docker/provider";

/** Removes every sandbox this e2e run created (found by its instance label). */
export default async function teardown() {
  const instance = process.env.E2E_INSTANCE;
  if (!instance) return;
  const provider = new DockerProvider({ instance });
  const sandboxes = await provider.list().catch(() => []);
  for (const s of sandboxes) await provider.destroy(s.id);
  if (sandboxes.length) console.log(`e2e teardown: removed ${sandboxes.length} sandbox(es) of ${instance}`);
}
