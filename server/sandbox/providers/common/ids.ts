import { randomBytes } from "node:crypto";

/** A new random sandbox id: 10 lowercase base-36 characters. */
export function newSandboxId(): string {
  const bytes = randomBytes(10);
  return Array.from(bytes, (b) => (b % 36).toString(36)).join("");
}
