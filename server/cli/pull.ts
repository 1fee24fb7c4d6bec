import fs from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { LAB_FILE } from "../labs/catalog";
import { SLUG_PATTERN } from "../labs/schema";
import { displayPath, LabsApi, processIo, RemoteError, serverUrl, tokenFrom, usageErrors, versionFlag, type RemoteIo } from "./push";
import { CliError } from "./usage";

/**
 * `labs pull <slug> --from <url> [--version n] [--out dir] [--force]`:
 * writes the lab's text (the latest version, or `--version`) to
 * `<out or LABS_DIR>/<slug>/lab.md`. An existing different file is kept
 * unless --force.
 */
export async function pull(args: string[], io: RemoteIo = processIo): Promise<number> {
  const { values, positionals } = usageErrors(() =>
    parseArgs({
      args,
      allowPositionals: true,
      options: { from: { type: "string" }, token: { type: "string" }, version: { type: "string" }, out: { type: "string" }, force: { type: "boolean", default: false } },
    }),
  );
  const slug = positionals[0];
  if (positionals.length !== 1 || !slug) throw new CliError("usage: labs pull <slug> --from <url> [--token <t>] [--version <n>] [--out <dir>] [--force]");
  if (!SLUG_PATTERN.test(slug)) throw new CliError(`"${slug}" is not a lab slug: 2-63 lowercase letters, digits and dashes, like first-container`);
  const base = serverUrl(values.from, "--from", io);
  const token = tokenFrom(values.token, base, io);
  const version = versionFlag(values.version, "--version");
  const target = path.resolve(values.out ?? io.env.LABS_DIR ?? "labs", slug, LAB_FILE);
  const shown = displayPath(target);

  const api = new LabsApi(base, token, io);
  try {
    const res = await api.text(`api/v1/labs/${slug}/source${version ? `?version=${version}` : ""}`);
    if (!res.ok) {
      io.err(`labs: ${api.explain(res.failure)}`);
      return 1;
    }
    const number = res.headers.get("x-lab-version") ?? String(version ?? "?");
    const existing = fs.statSync(target, { throwIfNoEntry: false });
    if (existing) {
      if (!existing.isFile()) throw new RemoteError(`${shown} exists and is not a file; nothing was written`);
      if (fs.readFileSync(target, "utf8") === res.text) {
        io.out(`${shown} is already version ${number} of ${slug}; nothing to write`);
        return 0;
      }
      if (!values.force) {
        io.err(`labs: ${shown} exists and differs from version ${number} on ${base.host}; nothing was written. Pass --force to overwrite it, or --out <dir> to write elsewhere.`);
        return 1;
      }
    }
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.writeFileSync(target, res.text);
    io.out(`wrote ${shown} (version ${number} of ${slug})`);
    return 0;
  } catch (err) {
    if (err instanceof RemoteError) {
      io.err(`labs: ${err.message}`);
      return 1;
    }
    throw err;
  }
}
