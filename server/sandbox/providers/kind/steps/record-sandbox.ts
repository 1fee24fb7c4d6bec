import { buildLabels, LABELS } from "../../../labels";
import type { Step } from "../../../steps";
import { RECORD_ROLE } from "../kind-labels";
import type { KindContext } from "./context";

/** A small volume carrying our labels: kind's node containers can only carry kind's. */
export const recordSandbox: Step<KindContext> = {
  name: "record sandbox",
  run: (ctx) => ctx.provider.api.createVolume(ctx.record, { ...buildLabels(ctx.labels, "node"), [LABELS.role]: RECORD_ROLE }),
  undo: (ctx) => ctx.provider.api.removeVolume(ctx.record),
};
