import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";

/**
 * The key that signs session cookies. AUTH_SECRET wins; otherwise one is made
 * once and kept in DATA_DIR/auth-secret (mode 0600) so sign-ins survive
 * restarts of a single-host install. Several replicas must share AUTH_SECRET.
 */
export function resolveAuthSecret(configured: string | undefined, dataDir: string): string {
  if (configured) return configured;
  const file = path.join(dataDir, "auth-secret");
  try {
    return fs.readFileSync(file, "utf8").trim();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
  }
  fs.mkdirSync(dataDir, { recursive: true });
  const secret = crypto.randomBytes(32).toString("hex");
  // "wx": if another process won the race, use its secret instead of ours.
  try {
    fs.writeFileSync(file, secret, { mode: 0o600, flag: "wx" });
    return secret;
  } catch {
    return fs.readFileSync(file, "utf8").trim();
  }
}
