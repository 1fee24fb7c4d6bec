import fs from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { PrismaClient } from "../generated/prisma/client";
import { askSessionRecords, controlSocketPath, startControlSocket, type ControlSocket } from "./control-socket";

/** Stands in for Prisma: the one query the socket runs, answering one session. */
function fakePrisma(): { prisma: PrismaClient; asked: unknown[] } {
  const asked: unknown[] = [];
  const row = {
    id: "s1",
    state: "ready",
    environment: "node",
    sandboxId: "sb1",
    host: null,
    createdAt: new Date("2026-01-01T10:00:00Z"),
    lab: { slug: "first-container" },
    user: { email: "a@example.com", name: "A" },
  };
  const labSession = {
    findMany: async (args: unknown) => {
      asked.push(args);
      return [row];
    },
  };
  return { prisma: { labSession } as unknown as PrismaClient, asked };
}

const open: ControlSocket[] = [];
const dirs: string[] = [];
function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "labs-ctl-"));
  dirs.push(dir);
  return dir;
}
async function start(dir: string, log: (m: string) => void = () => {}) {
  const socket = await startControlSocket(dir, log);
  if (socket) open.push(socket);
  return socket;
}
const query = { sandboxIds: ["sb1"], sessionIds: [] };

afterEach(async () => {
  for (const s of open.splice(0)) await s.close();
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

describe("the server's control socket", () => {
  it("answers the CLI with session records, once the database is there, from a socket only its owner may open", async () => {
    const dir = tempDir();
    const socket = (await start(dir))!;
    const file = controlSocketPath(dir)!;
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    await expect(askSessionRecords(file, query)).rejects.toThrow(/answered 503: the server is starting/);
    const { prisma, asked } = fakePrisma();
    socket.serve(prisma);
    expect(await askSessionRecords(file, query)).toEqual([
      {
        id: "s1",
        state: "ready",
        environment: "node",
        sandboxId: "sb1",
        host: null,
        labSlug: "first-container",
        learner: { email: "a@example.com", name: "A" },
        createdAt: "2026-01-01T10:00:00.000Z",
      },
    ]);
    expect(JSON.stringify(asked)).toContain('"sb1"');
  });

  it("refuses other requests and malformed queries", async () => {
    const dir = tempDir();
    (await start(dir))!.serve(fakePrisma().prisma);
    const file = controlSocketPath(dir)!;
    const status = (method: string, url: string, body = "") =>
      new Promise<number | undefined>((resolve, reject) => {
        const req = http.request({ socketPath: file, path: url, method, agent: false }, (res) => {
          res.resume();
          resolve(res.statusCode);
        });
        req.on("error", reject);
        req.end(body);
      });
    expect(await status("GET", "/session-records")).toBe(404);
    expect(await status("POST", "/session-records", JSON.stringify({ sandboxIds: "sb1" }))).toBe(400);
  });

  it("tells the CLI that no server runs: ENOENT without a socket, ECONNREFUSED for one nobody serves", async () => {
    const dir = tempDir();
    const file = controlSocketPath(dir)!;
    await expect(askSessionRecords(file, query)).rejects.toMatchObject({ code: "ENOENT" });
    fs.writeFileSync(file, ""); // what a killed server leaves is just as dead
    await expect(askSessionRecords(file, query)).rejects.toMatchObject({ code: "ECONNREFUSED" });
    // A new server replaces the dead file.
    expect(await start(dir)).not.toBeNull();
  });

  it("removes its file on close, and never takes over a socket another server still serves", async () => {
    const dir = tempDir();
    const first = (await start(dir))!;
    const logged: string[] = [];
    expect(await start(dir, (m) => logged.push(m))).toBeNull();
    expect(logged.join("\n")).toMatch(/is a second server running on this DATA_DIR/);
    await first.close();
    open.splice(open.indexOf(first), 1);
    expect(fs.existsSync(controlSocketPath(dir)!)).toBe(false);
  });

  it("has no path when DATA_DIR is too deep for a Unix socket", () => {
    expect(controlSocketPath(`/tmp/${"d".repeat(120)}`)).toBeNull();
    expect(controlSocketPath("/var/lib/runtime-labs")).toBe("/var/lib/runtime-labs/control.sock");
  });
});
