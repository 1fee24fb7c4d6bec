/**
 * The disk fault: from a terminal of its own on a learner's node (as the
 * learner could), fill the node's disk until the cap refuses more, hold it
 * full while the learner keeps working, then free it and check the disk
 * takes writes again. If the session ends meanwhile (its node killed), the
 * files went with the node; otherwise the freeing is retried until done.
 */
import type { Learner } from "./learner";
import type { SoakTerminal } from "./terminal";

/** Files the fault leaves while the disk is full; the end of the run checks none remain. */
export const FILL_GLOB = "/root/soak-fill.*";

/**
 * Preallocates ever smaller files until not even 1 MiB fits, then writes
 * the last bytes; prints how much it took and whether a 1 MiB write is now
 * refused ("soak-full").
 */
const FILL = [
  "n=0; for s in 4096 2048 1024 512 256 128 64 32 16 8 4 2 1; do",
  "  while fallocate -l ${s}M /root/soak-fill.$n 2>/dev/null; do n=$((n+1)); done; rm -f /root/soak-fill.$n",
  "done",
  "dd if=/dev/zero of=/root/soak-fill.tail bs=64k 2>/dev/null",
  "echo soak-filled-$(du -sm /root | cut -f1)MiB",
  // Quoted, so the typed line does not contain what the shell prints.
  'head -c 1048576 /dev/zero 2>/dev/null >/root/soak-fill.probe || echo soak-"full"',
].join("\n");
const FREE = `rm -f ${FILL_GLOB}; head -c 1048576 /dev/zero >/root/soak-fill.probe && rm -f /root/soak-fill.probe && echo soak-"writable"`;
const HOLD_FULL_MS = 5_000;
const FREE_ATTEMPTS = 4;

let opened = 0;

/** Fills the learner's disk and frees it; returns the outcome in a few words. Throws only when the cap did not hold or the disk stayed full. */
export async function fillDisk(learner: Learner): Promise<string> {
  const sessionId = learner.session!.id;
  let filled: string;
  const term = await learner.openTerminal(sessionId, `soak-fill-${++opened}`);
  try {
    const out = await term.run(FILL, 120_000);
    filled = /soak-filled-(\d+MiB)/.exec(out)?.[1] ?? "?";
    if (!out.includes("soak-full")) throw new Error(`the disk cap did not hold: a 1 MiB write succeeded after filling ${filled} in session ${sessionId}`);
    await new Promise((r) => setTimeout(r, HOLD_FULL_MS));
  } catch (err) {
    if (!(await learner.stillOn(sessionId))) return `session ended while filling (${(err as Error).message.slice(0, 80)})`;
    if (/disk cap did not hold/.test((err as Error).message)) {
      await free(learner, sessionId, term);
      throw err;
    }
    filled = `? (${(err as Error).message.slice(0, 100)})`;
  }
  return `filled ${filled}; ${await free(learner, sessionId, term)}`;
}

/** Frees the disk, on a new terminal if the first is gone; a session that ended took its files with it. */
async function free(learner: Learner, sessionId: string, first: SoakTerminal): Promise<string> {
  let term: SoakTerminal | null = first;
  for (let attempt = 1; attempt <= FREE_ATTEMPTS; attempt++) {
    try {
      term ??= await learner.openTerminal(sessionId, `soak-fill-${++opened}`);
      const out = await term.run(FREE, 30_000);
      await term.end();
      if (out.includes("soak-writable")) return "freed, writable again";
    } catch {
      await term?.end().catch(() => {});
    }
    term = null;
    if (!(await learner.stillOn(sessionId))) return "session ended while full (its node went with the files)";
    await new Promise((r) => setTimeout(r, 2_000 * attempt));
  }
  throw new Error(`the disk of session ${sessionId} could not be freed after ${FREE_ATTEMPTS} attempts`);
}
