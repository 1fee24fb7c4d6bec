import { jsonResponse } from "./request";
import type { ApiCaller } from "./request";
import { DomainError, isDomainError } from "../errors";
import { labSlug, parseField } from "../fields";
import { LAB_FILE, MAX_LAB_FILE_BYTES, parseLab, type LabProblem } from "../labs/catalog";
import type { LabVersionView } from "../labs/authoring";
import type { Services } from "../services";

/**
 * The REST handlers of /api/v1/labs: `labs push` and `labs pull` from an
 * author's machine (docs/authoring.md, "Push from your machine"), and any script with a token of
 * the "labs" scope. They only shape requests and answers: who may do what,
 * versions, tests and publishing are server/labs/authoring.ts's to decide.
 */

/**
 * The largest JSON push body. JSON escaping can make a text longer than the
 * file (a quote or a backslash becomes two characters), so the envelope gets
 * room above the lab's own limit; the lab text in it is then held to
 * MAX_LAB_FILE_BYTES like a raw markdown body.
 */
export const MAX_PUSH_JSON_BYTES = 2 * MAX_LAB_FILE_BYTES;
/** A publish body holds at most a reason of a sentence or two. */
const MAX_PUBLISH_BODY_BYTES = 16 * 1024;
/** The largest version number a path may name (far past any lab's history). */
const MAX_VERSION_NUMBER = 1_000_000;

interface Args<P> {
  services: Services;
  caller: ApiCaller;
  req: Request;
  params: P;
}

type LabParams = { slug: string };
type VersionParams = { slug: string; n: string };

/** A version in a path or query: a whole number from 1. */
export function parseVersionNumber(text: string, field = "The version number"): number {
  const n = /^\d{1,7}$/.test(text) ? Number(text) : NaN;
  if (!(n >= 1 && n <= MAX_VERSION_NUMBER)) throw new DomainError("BAD_REQUEST", `${field} must be a whole number from 1 to ${MAX_VERSION_NUMBER}, like 3 (got "${text.slice(0, 20)}").`);
  return n;
}

/** A version as the API shows it; its text only when asked (`?source=1`), as it can be a megabyte. */
function versionBody(v: LabVersionView, withSource: boolean): Omit<LabVersionView, "source"> & { source?: string } {
  if (withSource) return v;
  const { source: _source, ...rest } = v;
  return rest;
}

/** 413 in the API's error shape: the body was refused before being read whole. */
function tooLarge(message: string): Response {
  return jsonResponse({ error: { code: "PAYLOAD_TOO_LARGE", message } }, { status: 413 });
}

/** 422: the lab has problems and nothing was stored. Each problem is located in lab.md, as the author's file is named. */
export function invalidLab(problems: LabProblem[]): Response {
  return jsonResponse({ error: { code: "INVALID_LAB", message: `${problems.length} problem(s) in ${LAB_FILE}`, problems } }, { status: 422 });
}

/**
 * The request body, or null when it is longer than `limit` bytes: refused
 * by its Content-Length before reading, else as soon as the bytes read pass
 * the limit (a chunked upload is never held whole).
 */
export async function readLimitedBody(req: Request, limit: number): Promise<Uint8Array | null> {
  const declared = Number(req.headers.get("content-length") ?? NaN);
  if (Number.isFinite(declared) && declared > limit) return null;
  if (!req.body) return new Uint8Array();
  const reader = req.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > limit) {
      await reader.cancel().catch(() => {});
      return null;
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks);
}

/** The media type of a request without its parameters, e.g. "application/json". */
function mediaType(req: Request): string {
  return (req.headers.get("content-type") ?? "").split(";")[0]!.trim().toLowerCase();
}

function isJson(type: string): boolean {
  return type === "application/json" || type.endsWith("+json");
}

function isText(type: string): boolean {
  return type === "text/markdown" || type === "text/x-markdown" || type === "text/plain";
}

const KIB = 1024;

/** A pushed lab: its text (decoded, or the located problems of bytes that are not UTF-8) and the version the author started from. */
type PushBody = { source: string; invalidUtf8?: LabProblem[]; baseVersion?: number } | Response;

/**
 * Reads a push: JSON `{ "source": "...", "baseVersion"?: n }`, or the lab's
 * text itself as `text/markdown` (baseVersion then in the query).
 */
async function readPush(req: Request, slug: string): Promise<PushBody> {
  const type = mediaType(req);
  const query = new URL(req.url).searchParams.get("baseVersion");
  let baseVersion = query === null ? undefined : parseVersionNumber(query, "baseVersion");
  if (isText(type)) {
    const bytes = await readLimitedBody(req, MAX_LAB_FILE_BYTES);
    if (!bytes) return tooLarge(`The lab is larger than ${MAX_LAB_FILE_BYTES / KIB} KiB, the most a lab may be; nothing was stored.`);
    try {
      return { source: new TextDecoder("utf-8", { fatal: true }).decode(bytes), baseVersion };
    } catch {
      // The validator locates each invalid sequence (line, column, bytes), as `labs validate` does.
      return { source: new TextDecoder("utf-8").decode(bytes), invalidUtf8: parseLab(slug, LAB_FILE, bytes).problems, baseVersion };
    }
  }
  if (!isJson(type)) {
    throw new DomainError(
      "BAD_REQUEST",
      `Send the lab as JSON {"source": "<the text of lab.md>"} with Content-Type: application/json, or as its text with Content-Type: text/markdown (this request's type is ${type ? `"${type.slice(0, 60)}"` : "missing"}).`,
    );
  }
  const bytes = await readLimitedBody(req, MAX_PUSH_JSON_BYTES);
  if (!bytes) return tooLarge(`The request body is larger than ${MAX_PUSH_JSON_BYTES / KIB} KiB; a lab may be at most ${MAX_LAB_FILE_BYTES / KIB} KiB. Nothing was stored.`);
  const body = parseJsonObject(bytes);
  if (typeof body.source !== "string") throw new DomainError("BAD_REQUEST", 'The body must have "source", the text of lab.md as a string.');
  if (Buffer.byteLength(body.source, "utf8") > MAX_LAB_FILE_BYTES) return tooLarge(`The lab is larger than ${MAX_LAB_FILE_BYTES / KIB} KiB, the most a lab may be; nothing was stored.`);
  if (body.baseVersion !== undefined && body.baseVersion !== null) {
    if (typeof body.baseVersion !== "number") throw new DomainError("BAD_REQUEST", '"baseVersion" must be a version number, like 3.');
    baseVersion = parseVersionNumber(String(body.baseVersion), "baseVersion");
  }
  return { source: body.source, baseVersion };
}

/** A JSON object from a body (an empty body is `{}`), or BAD_REQUEST with a sentence. */
function parseJsonObject(bytes: Uint8Array): Record<string, unknown> {
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw new DomainError("BAD_REQUEST", "The body is not UTF-8 text; send JSON.");
  }
  if (!text.trim()) return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new DomainError("BAD_REQUEST", "The body is not valid JSON.");
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) throw new DomainError("BAD_REQUEST", "The body must be a JSON object.");
  return value as Record<string, unknown>;
}

/**
 * POST /api/v1/labs/:slug/versions — a push. The text is validated first: a
 * lab with problems is refused with 422 and every problem, and nothing is
 * stored. A valid one creates the lab (owned by the caller) if the slug is
 * new, else becomes its next version; the same text as the latest version
 * stores nothing (200, `unchanged`).
 */
export async function postLabVersion({ services, caller, req, params }: Args<LabParams>): Promise<Response> {
  const slug = parseField(labSlug, params.slug);
  const body = await readPush(req, slug);
  if (body instanceof Response) return body;
  // check() refuses callers who do not write labs before anything is said about the text.
  const { problems } = services.authoring.check(caller.user, slug, body.source);
  if (body.invalidUtf8?.length) return invalidLab(body.invalidUtf8);
  if (problems.length) return invalidLab(problems);
  const stored = await saveOrCreate(services, caller, slug, body.source, body.baseVersion);
  const location = `/api/v1/labs/${slug}/versions/${stored.version}`;
  return jsonResponse({ slug, ...stored }, { status: stored.unchanged ? 200 : 201, headers: stored.unchanged ? {} : { location } });
}

/**
 * Saves the next version of a lab the caller may edit, or creates the lab
 * when there is none they can see by that slug. A slug taken by a lab they
 * cannot see is then refused by create() with its CONFLICT sentence.
 */
async function saveOrCreate(services: Services, caller: ApiCaller, slug: string, source: string, baseVersion: number | undefined) {
  try {
    const saved = await services.authoring.save(caller.user, slug, source, { via: "push", baseVersion });
    return { version: saved.number, unchanged: saved.unchanged, created: false };
  } catch (err) {
    if (!(isDomainError(err) && err.code === "NOT_FOUND")) throw err;
  }
  const created = await services.authoring.create(caller.user, slug, source, "push");
  return { version: created.number, unchanged: false, created: true };
}

/** GET /api/v1/labs/:slug/versions — the lab and its versions, newest first. */
export async function getLabVersions({ services, caller, params }: Args<LabParams>): Promise<Response> {
  return jsonResponse(await services.authoring.versions(caller.user, parseField(labSlug, params.slug)));
}

/** GET /api/v1/labs/:slug/versions/:n — a version's problems and last test (`?source=1`: and its text). */
export async function getLabVersion({ services, caller, req, params }: Args<VersionParams>): Promise<Response> {
  const v = await services.authoring.version(caller.user, parseField(labSlug, params.slug), parseVersionNumber(params.n));
  const source = new URL(req.url).searchParams.get("source");
  return jsonResponse(versionBody(v, source === "1" || source === "true"));
}

/** POST /api/v1/labs/:slug/versions/:n/test — starts "Test this lab" (202); poll the version for its lines. */
export async function postLabVersionTest({ services, caller, params }: Args<VersionParams>): Promise<Response> {
  const slug = parseField(labSlug, params.slug);
  const number = parseVersionNumber(params.n);
  await services.authoring.startTest(caller.user, slug, number);
  return jsonResponse(versionBody(await services.authoring.version(caller.user, slug, number), false), { status: 202 });
}

/** POST /api/v1/labs/:slug/versions/:n/publish — body `{ "override"?: "<why it is untested>" }`; answers the published version. */
export async function postLabVersionPublish({ services, caller, req, params }: Args<VersionParams>): Promise<Response> {
  const slug = parseField(labSlug, params.slug);
  const number = parseVersionNumber(params.n);
  const bytes = await readLimitedBody(req, MAX_PUBLISH_BODY_BYTES);
  if (!bytes) return tooLarge(`A publish request is at most ${MAX_PUBLISH_BODY_BYTES / KIB} KiB: {"override": "<a sentence>"}.`);
  const { override } = parseJsonObject(bytes);
  if (override !== undefined && override !== null && typeof override !== "string") throw new DomainError("BAD_REQUEST", '"override" must be a sentence saying why the version is published untested.');
  await services.authoring.publish(caller.user, slug, number, override ?? undefined);
  return jsonResponse(versionBody(await services.authoring.version(caller.user, slug, number), false));
}

/**
 * GET /api/v1/labs/:slug/source[?version=n] — the text of lab.md as
 * `text/markdown` (the latest version without `version`); the version it is
 * in `X-Lab-Version`.
 */
export async function getLabSource({ services, caller, req, params }: Args<LabParams>): Promise<Response> {
  const wanted = new URL(req.url).searchParams.get("version");
  const v = await services.authoring.version(caller.user, parseField(labSlug, params.slug), wanted === null ? undefined : parseVersionNumber(wanted, "version"));
  return new Response(v.source, {
    headers: {
      "content-type": "text/markdown; charset=utf-8",
      "content-disposition": `inline; filename="${LAB_FILE}"`,
      "x-lab-version": String(v.number),
      "cache-control": "no-store",
    },
  });
}
