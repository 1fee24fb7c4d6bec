import dns from "node:dns";
import http from "node:http";
import https from "node:https";
import net, { type LookupFunction } from "node:net";
import { blockedAddressReason } from "./address-policy";
import { privateTargetSentence, refusedHostReason, type WebhookTargetPolicy } from "./url";

/**
 * One HTTP POST to a webhook receiver, with the destination checked where it
 * matters: at connection time. The host name is resolved once, every address
 * it resolves to is checked against the target policy, and the socket
 * connects to a checked address (the resolver's answer is handed straight to
 * the connection through `lookup`). A name that resolves to a public address
 * when checked and a private one a moment later (DNS rebinding) cannot slip
 * through, because nothing resolves it a second time. The Host header and
 * TLS SNI stay the URL's host name, so virtual hosts and certificates work.
 */

/** Resolves a host name to every address (IPv4 and IPv6). */
export type Resolver = (hostname: string) => Promise<{ address: string; family: number }[]>;

/** The system resolver (getaddrinfo, as every other connection of the process). */
export const systemResolver: Resolver = (hostname) => dns.promises.lookup(hostname, { all: true, verbatim: true });

/** A destination the policy refuses; raised before any connection is made. */
export class RefusedTargetError extends Error {
  readonly code = "ERR_WEBHOOK_TARGET_REFUSED";
  constructor(message: string) {
    super(message);
    this.name = "RefusedTargetError";
  }
}

export interface PostOptions {
  /** Longest the whole exchange may take: resolution, connection, the answer's head and the body kept. */
  timeoutMs: number;
  policy: WebhookTargetPolicy;
  /** Bytes of a non-2xx answer's body kept for the error sentence; the rest is never read. */
  maxBodyBytes: number;
  resolve?: Resolver;
}

/** What the receiver answered: its status, and the start of the body of a non-2xx, non-3xx answer. Headers are not kept. */
export interface PostAnswer {
  status: number;
  body: Buffer;
}

/** POSTs `body` to `url`; rejects with RefusedTargetError, a timeout (AbortError) or the socket's error. */
export function postToReceiver(url: URL, body: string, headers: Record<string, string>, opts: PostOptions): Promise<PostAnswer> {
  return new Promise((resolve, reject) => {
    const hostname = url.hostname.replace(/^\[|\]$/g, "");
    if (!opts.policy.allowPrivateTargets) {
      // Literal addresses never reach `lookup`: check them here.
      const reason = refusedHostReason(url.hostname);
      if (reason) return reject(new RefusedTargetError(privateTargetSentence(url.hostname, reason)));
    }
    const client = url.protocol === "https:" ? https : http;
    const req = client.request({
      protocol: url.protocol,
      hostname,
      port: url.port || undefined,
      path: `${url.pathname}${url.search}`,
      method: "POST",
      headers: { ...headers, host: url.host, "content-length": String(Buffer.byteLength(body)) },
      servername: net.isIP(hostname) ? undefined : hostname,
      lookup: pinnedLookup(opts.resolve ?? systemResolver, opts.policy, url.hostname),
      // A fresh connection per delivery: no pooled socket outlives the check that opened it.
      agent: false,
      signal: AbortSignal.timeout(opts.timeoutMs),
    });
    req.on("error", reject);
    req.on("response", (res) => {
      const status = res.statusCode ?? 0;
      if (status >= 200 && status < 400) {
        // 2xx counts once the head is here; a redirect's body is of no use. Neither is read.
        res.destroy();
        return resolve({ status, body: Buffer.alloc(0) });
      }
      const chunks: Buffer[] = [];
      let size = 0;
      const done = () => resolve({ status, body: Buffer.concat(chunks).subarray(0, opts.maxBodyBytes) });
      res.on("data", (chunk: Buffer) => {
        chunks.push(chunk);
        size += chunk.byteLength;
        if (size >= opts.maxBodyBytes) {
          done();
          res.destroy();
        }
      });
      res.on("end", done);
      // A body cut short (timeout, reset) still leaves a status to report.
      res.on("error", done);
      res.on("close", done);
    });
    req.end(body);
  });
}

/**
 * A `lookup` for the connection that resolves once with `resolve`, refuses
 * the name if any of its addresses is refused, and otherwise hands the
 * checked addresses to the socket (all of them when Node tries several, as
 * it does for dual-stack hosts).
 */
export function pinnedLookup(resolve: Resolver, policy: WebhookTargetPolicy, hostForMessages: string): LookupFunction {
  return (hostname, options, callback) => {
    resolve(hostname).then(
      (all) => {
        const wanted = options.family === 4 || options.family === "IPv4" ? 4 : options.family === 6 || options.family === "IPv6" ? 6 : 0;
        const addresses = wanted ? all.filter((a) => a.family === wanted) : all;
        if (!addresses.length) {
          return callback(Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: "ENOTFOUND", hostname }), "", 0);
        }
        if (!policy.allowPrivateTargets) {
          for (const a of all) {
            const reason = blockedAddressReason(a.address);
            if (reason) return callback(new RefusedTargetError(privateTargetSentence(hostForMessages, reason, true)), "", 0);
          }
        }
        if (options.all) callback(null, addresses);
        else callback(null, addresses[0]!.address, addresses[0]!.family);
      },
      (err: NodeJS.ErrnoException) => callback(err, "", 0),
    );
  };
}
