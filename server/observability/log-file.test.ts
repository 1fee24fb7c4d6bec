import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { logFilePath, rotatingFileDestination } from "./log-file";
import { createLogger } from "./logger";

const dirs: string[] = [];
function tempDataDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "labs-logfile-"));
  dirs.push(dir);
  return dir;
}
const linesOf = (file: string) => fs.readFileSync(file, "utf8").split("\n").filter(Boolean);

afterEach(() => {
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

describe("the server's log file", () => {
  it("lives in DATA_DIR/logs and gets every JSON line the logger writes to stdout too", () => {
    const file = logFilePath(tempDataDir());
    const stdout: string[] = [];
    const logger = createLogger({ destination: { write: (s: string) => void stdout.push(s) }, alsoTo: rotatingFileDestination(file) });
    logger.info({ component: "server" }, "ready");
    logger.debug("below the level: nowhere");
    expect(file).toMatch(/\/logs\/server\.log$/);
    expect(linesOf(file)).toEqual(stdout.map((s) => s.trimEnd()));
    expect(JSON.parse(linesOf(file)[0]!)).toMatchObject({ level: "info", component: "server", msg: "ready" });
  });

  it("appends to the file a previous run left", () => {
    const file = logFilePath(tempDataDir());
    rotatingFileDestination(file).write("first run\n");
    rotatingFileDestination(file).write("second run\n");
    expect(linesOf(file)).toEqual(["first run", "second run"]);
  });

  it("rotates by size: the full file becomes server.log.1, replacing the older one", () => {
    const file = logFilePath(tempDataDir());
    const out = rotatingFileDestination(file, 100);
    const line = (n: number) => `${String(n).padStart(2, "0")} ${"x".repeat(36)}\n`; // 40 bytes
    for (let n = 1; n <= 7; n++) out.write(line(n));
    // Two lines fit in 100 bytes: line 3 rotates 1-2 out, line 5 rotates 3-4, line 7 rotates 5-6.
    expect(linesOf(file)).toEqual([line(7).trimEnd()]);
    expect(linesOf(`${file}.1`)).toEqual([line(5).trimEnd(), line(6).trimEnd()]);
    expect(fs.readdirSync(path.dirname(file)).sort()).toEqual(["server.log", "server.log.1"]);
  });

  it("throws when the file cannot be opened, so the caller can say so", () => {
    const dir = tempDataDir();
    fs.writeFileSync(path.join(dir, "logs"), "a file where the directory should be");
    expect(() => rotatingFileDestination(logFilePath(dir))).toThrow();
  });
});
