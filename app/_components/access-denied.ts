import { TRPCError } from "@trpc/server";

/**
 * For server pages that call the API: the sentence to show when the caller
 * is not signed in or their role may not see the page, or null for any
 * other error (which the page should rethrow). The API decides; pages only
 * reflect its answer.
 */
export function accessDeniedMessage(err: unknown): string | null {
  return err instanceof TRPCError && (err.code === "UNAUTHORIZED" || err.code === "FORBIDDEN") ? err.message : null;
}
