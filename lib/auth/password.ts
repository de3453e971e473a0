// Password hashing with scrypt from Node's crypto (OpenSSL's implementation): memory-hard, no native add-on to
// install, parameters at OWASP's recommended level (N=2^15, r=8, p=3: 32 MiB per hash). Stored in PHC string
// form, so the parameters travel with each hash and can be raised later: `verifyPassword` reports when a
// stored hash is weaker than today's and the caller re-hashes at the next sign-in.
import crypto from "node:crypto";
import { promisify } from "node:util";
import { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from "./password-rules";
import { UserFacingError } from "../errors/user-facing-error";

export { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH };

const scrypt = promisify(crypto.scrypt) as (password: string | Buffer, salt: Buffer, keylen: number, options: crypto.ScryptOptions) => Promise<Buffer>;

interface Params {
  ln: number; // log2(N)
  r: number;
  p: number;
}

const CURRENT: Params = { ln: 15, r: 8, p: 3 };
const KEY_BYTES = 32;
const SALT_BYTES = 16;

export class PasswordPolicyError extends UserFacingError {
  name = "PasswordPolicyError";
}

/** Throws a PasswordPolicyError with a message fit for the user when the password is unacceptable. */
export function checkPasswordPolicy(password: string, username?: string): void {
  if (typeof password !== "string" || password.length < PASSWORD_MIN_LENGTH) {
    throw new PasswordPolicyError(`The password must be at least ${PASSWORD_MIN_LENGTH} characters long.`);
  }
  if (password.length > PASSWORD_MAX_LENGTH) throw new PasswordPolicyError(`The password must be at most ${PASSWORD_MAX_LENGTH} characters long.`);
  if (username && password.toLowerCase().includes(username.toLowerCase())) {
    throw new PasswordPolicyError("The password must not contain the username.");
  }
  if (new Set(password).size < 4) throw new PasswordPolicyError("The password is too repetitive.");
}

const derive = (password: string, salt: Buffer, params: Params, keylen: number) =>
  scrypt(password.normalize("NFKC"), salt, keylen, { N: 2 ** params.ln, r: params.r, p: params.p, maxmem: 256 * 2 ** params.ln * params.r });

export async function hashPassword(password: string): Promise<string> {
  const salt = crypto.randomBytes(SALT_BYTES);
  const key = await derive(password, salt, CURRENT, KEY_BYTES);
  return `$scrypt$ln=${CURRENT.ln},r=${CURRENT.r},p=${CURRENT.p}$${salt.toString("base64url")}$${key.toString("base64url")}`;
}

function parse(stored: string): { params: Params; salt: Buffer; key: Buffer } | null {
  const m = /^\$scrypt\$ln=(\d{1,2}),r=(\d{1,2}),p=(\d{1,2})\$([A-Za-z0-9_-]+)\$([A-Za-z0-9_-]+)$/.exec(stored);
  if (!m) return null;
  const params = { ln: Number(m[1]), r: Number(m[2]), p: Number(m[3]) };
  // Refuse absurd parameters rather than let a tampered row pin the CPU or memory.
  if (params.ln < 10 || params.ln > 20 || params.r < 1 || params.r > 32 || params.p < 1 || params.p > 16) return null;
  const salt = Buffer.from(m[4], "base64url");
  const key = Buffer.from(m[5], "base64url");
  if (salt.length < 8 || key.length < 16 || key.length > 64) return null;
  return { params, salt, key };
}

/** Constant-time check of a password against a stored hash. Malformed hashes never match. */
export async function verifyPassword(stored: string, password: string): Promise<{ ok: boolean; needsRehash: boolean }> {
  const parsed = parse(stored);
  if (!parsed || typeof password !== "string" || password.length > PASSWORD_MAX_LENGTH) return { ok: false, needsRehash: false };
  const key = await derive(password, parsed.salt, parsed.params, parsed.key.length);
  const ok = crypto.timingSafeEqual(key, parsed.key);
  const { ln, r, p } = parsed.params;
  return { ok, needsRehash: ok && (ln < CURRENT.ln || r < CURRENT.r || p < CURRENT.p || parsed.key.length < KEY_BYTES) };
}

let dummy: Promise<string> | undefined;
/** Spends the same time as a real check, for usernames that do not exist (no user enumeration by timing). */
export async function verifyDummyPassword(password: string): Promise<void> {
  dummy ??= hashPassword(crypto.randomBytes(18).toString("base64url"));
  await verifyPassword(await dummy, password);
}
