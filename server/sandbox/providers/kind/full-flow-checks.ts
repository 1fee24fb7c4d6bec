/**
 * The checks the kind full-flow test evaluates, kept here so a unit test can
 * parse them with the real schema on every machine (the full-flow test only
 * runs where kind does, so a schema error in it went unseen: `retries: 60`
 * against a maximum of 10).
 */
import type { CheckInput } from "../../../checks/schema";

/** OOM of the hog Pod: up to 10 retries, RETRY_DELAY_MS apart (a minute in all). */
export const OOM_POD_CHECK = { type: "oomKilled", pod: { name: "hog" }, retries: 10 } satisfies CheckInput;
/** The gVisor Pod's handler. */
export const GVISOR_POD_CHECK = { type: "runtime", pod: { name: "sandboxed" }, handler: "runsc", retries: 10 } satisfies CheckInput;
/** Pause between retries in the full flow: a kubelet restart backoff is seconds long. */
export const FULL_FLOW_RETRY_DELAY_MS = 6_000;
