// Random secrets and their at-rest form. A session cookie or API token is 256 random bits; the database keeps
// only its sha-256, so a copy of the database (a backup, a dump) holds no usable credential.
import crypto from "node:crypto";

export function randomSecret(bytes = 32): string {
  return crypto.randomBytes(bytes).toString("base64url");
}

export function sha256Hex(value: string): string {
  return crypto.createHash("sha256").update(value, "utf8").digest("hex");
}

/** Constant-time equality of two strings (false when lengths differ, without comparing contents). */
export function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a, "utf8");
  const y = Buffer.from(b, "utf8");
  return x.length === y.length && crypto.timingSafeEqual(x, y);
}
