import { DomainError } from "../errors";

/**
 * What a webhook URL may be. The platform POSTs to it from the server, so it
 * is a server-side request an instructor chooses (SSRF): only http and https,
 * no credentials in the URL, and deliveries never follow redirects (a
 * redirect could point somewhere the instructor could not name directly).
 * Which hosts are reachable is the operator's network policy: docs/api.md
 * says how to restrict egress. Loopback stays allowed because tests (and
 * receivers on the same host) use it.
 */
export function parseWebhookUrl(text: string): URL {
  const trimmed = text.trim();
  if (trimmed.length > 2000) throw new DomainError("BAD_REQUEST", "That webhook URL is longer than 2000 characters; use a shorter one.");
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
  return url;
}
