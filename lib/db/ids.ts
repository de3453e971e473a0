// Ids and text from URLs (path segments, query strings, form fields) on their way to SQL. Whatever a URL carries
// must end as "no such thing" (404) or "bad request" (400), never as a database error (500):
//  - a bigint id is 1–19 digits within PostgreSQL's bigint: BigInt() alone accepts "", " 1", "0x1f" and any size,
//    and an id past 2^63-1 is a 22003 error from the database;
//  - a uuid is a uuid (a uuid column rejects anything else with 22P02);
//  - text never holds U+0000: PostgreSQL text cannot store it (22021 "invalid byte sequence for encoding").
import { z } from "zod";

/** PostgreSQL's largest bigint (ids are bigserial: 1 … 2^63-1). */
export const PG_BIGINT_MAX = 9223372036854775807n;

/** A bigint id from a URL or a form, or null when it cannot be one (then nothing has this id). */
export function parseBigintId(text: unknown): bigint | null {
  if (typeof text === "bigint") return text >= 0n && text <= PG_BIGINT_MAX ? text : null;
  if (typeof text !== "string" || !/^\d{1,19}$/.test(text)) return null;
  const id = BigInt(text);
  return id <= PG_BIGINT_MAX ? id : null;
}

/** A uuid from a URL or a form, or null. */
export function parseUuid(text: unknown): string | null {
  return typeof text === "string" && z.uuid().safeParse(text).success ? text : null;
}

/** Whether text can be a PostgreSQL text parameter as it is (no NUL character). */
export const sqlSafeText = (text: string) => !text.includes("\u0000");

/** A string that refuses NUL characters: the base of URL filters that reach SQL (with .catch: a NUL filter is ignored). */
export const urlText = () => z.string().refine(sqlSafeText, "must not contain NUL characters");

/**
 * A dynamic path segment as the page's code needs it: percent-decoded once more (links encode host names), or
 * null when it cannot name anything (malformed escapes like a lone "%", or a NUL).
 */
export function decodeSegment(raw: string): string | null {
  let text: string;
  try {
    text = decodeURIComponent(raw);
  } catch {
    return null;
  }
  return sqlSafeText(text) ? text : null;
}
