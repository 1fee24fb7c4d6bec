import type { Step } from "../../../steps";
import { preloadLabImages as preload } from "../preload";
import type { KindContext } from "./context";

/**
 * The lab images tar, out of the image that holds it and into the node's
 * containerd (k8s.io namespace), as `kind load image-archive` does; nothing
 * is written on the host (preload.ts).
 */
export const preloadLabImages: Step<KindContext> = {
  name: "preload lab images",
  run: (ctx) => preload(ctx.provider.api, ctx.controlPlane!, ctx.provider.labImagesFrom, ctx.provider.instance),
};
