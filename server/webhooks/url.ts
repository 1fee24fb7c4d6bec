import { isIP } from "node:net";
import { DomainError } from "../errors";
import { MAX_WEBHOOK_URL, tooLongSentence } from "../limits";
import { blockedAddressReason, isLocalHostName } from "./address-policy";

/** What the operator allows webhooks to reach (env WEBHOOK_ALLOW_PRIVATE_TARGETS). */
export interface WebhookTargetPolicy {
  /** True: loopback, private and link-local destinations are allowed too (receivers inside the operator's network; tests). */
  allowPrivateTargets: boolean;
}

/** The default: only destinations on the public internet. */
export const PUBLIC_TARGETS_ONLY: WebhookTargetPolicy = { allowPrivateTargets: false };

/**
 * What a webhook URL may be. The platform POSTs to it from the server, so it
 * is a server-side request an instructor chooses (SSRF): at most
 * MAX_WEBHOOK_URL characters, only http and https,
 * no credentials in the URL, and, unless the operator allows private
 * targets, no host that names this machine or an internal network (literal
 * addresses and `localhost` are refused here; names are resolved and checked
 * again at every delivery, see post.ts). Deliveries never follow redirects.
 */
export function parseWebhookUrl(text: string, policy: WebhookTargetPolicy = PUBLIC_TARGETS_ONLY): URL {
  const trimmed = text.trim();
  if (trimmed.length > MAX_WEBHOOK_URL) throw new DomainError("BAD_REQUEST", tooLongSentence("The webhook URL", MAX_WEBHOOK_URL, trimmed.length));
  let url: URL;
  try {
    url = new URL(trimmed);
  } catch {
    throw new DomainError("BAD_REQUEST", `“${trimmed.slice(0, 100)}” is not a URL; give one like https://lms.example.edu/hooks/runtime-labs.`);
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    throw new DomainError("BAD_REQUEST", `Webhook URLs must start with https:// (or http://), not ${url.protocol}//.`);
  }
  if (url.username || url.password) {
    throw new DomainError("BAD_REQUEST", "Leave user names and passwords out of the webhook URL; receivers check the signature instead.");
  }
  url.hash = "";
  if (!policy.allowPrivateTargets) {
    const reason = refusedHostReason(url.hostname);
    if (reason) throw new DomainError("BAD_REQUEST", privateTargetSentence(url.hostname, reason));
  }
  return url;
}

/** Why a URL's host (as `URL.hostname` gives it) may not receive webhooks, or null when only DNS can tell. */
export function refusedHostReason(hostname: string): string | null {
  const bare = hostname.replace(/^\[|\]$/g, "");
  if (isLocalHostName(bare)) return "a name for this machine";
  return isIP(bare) ? blockedAddressReason(bare) : null;
}

/** The sentence an instructor sees when a webhook's destination is refused. */
export function privateTargetSentence(host: string, reason: string, resolved = false): string {
  return (
    `Webhooks may not be sent to ${host}: ${resolved ? "it resolves to" : "it is"} ${reason}. ` +
    "Use a receiver reachable from the internet, or ask the operator to set WEBHOOK_ALLOW_PRIVATE_TARGETS=1 if it really runs inside their network."
  );
}
