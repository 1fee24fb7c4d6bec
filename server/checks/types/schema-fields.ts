/**
 * zod pieces several check types' schemas share. Parameters are validated up
 * front so a broken regex or a bad container id is reported when the lab is
 * loaded, not when a learner is waiting for a green tick.
 */
import { z } from "zod";

/** Default time one attempt of a check may take (Educates' default). */
export const DEFAULT_CHECK_TIMEOUT_MS = 15_000;

/** A regular expression given as a string; compiled once here so bad ones fail validation. */
export const regex = z
  .string()
  .min(1)
  .refine(
    (s) => {
      try {
        new RegExp(s);
        return true;
      } catch {
        return false;
      }
    },
    { message: "must be a valid regular expression" },
  );

/** Name of a containerd container (its id), as `ctr run ... <id>` takes it. */
export const containerId = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/, "must be a containerd container id");
export const containerdNamespace = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,75}$/, "must be a containerd namespace");

const k8sName = z.string().regex(/^[a-z0-9]([a-z0-9.-]*[a-z0-9])?$/, "must be a Kubernetes object name");

/** A container of a Pod (cluster sandboxes): read through kubectl and crictl in the node. */
export const podSelector = z.strictObject({
  name: k8sName,
  namespace: z
    .string()
    .regex(/^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/, "must be a Kubernetes namespace")
    .default("default"),
  /** Container name; default the Pod's first container. */
  container: z
    .string()
    .regex(/^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/, "must be a container name")
    .optional(),
});

/** Fields every check has. */
export const commonFields = {
  /** Shown to instructors; the learner sees the evaluator's message. */
  description: z.string().optional(),
  /** Time one attempt may take, in ms. */
  timeoutMs: z.number().int().min(100).max(300_000).default(DEFAULT_CHECK_TIMEOUT_MS),
  /** Extra attempts after a failing one (state that settles, e.g. a container still starting). */
  retries: z.number().int().min(0).max(10).default(0),
};
