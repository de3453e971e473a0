// Sign-in rate limiting, counted from the audit log's failed sign-ins (so it survives restarts and needs no
// table of its own). Three limits over a sliding window: per username and address (the main one; a success
// from that address clears it), per username from any address (the address is the client's to claim without a
// reverse proxy), and per address for any username (password spraying).
import { db } from "../db/client";
import { authConfig } from "./config";

export const LOGIN_FAILED = "auth.login_failed";
export const LOGIN_OK = "auth.login";

export type Throttle = { allowed: true } | { allowed: false; retryAfterSeconds: number; message: string };

interface Row {
  n: number;
  until: Date | null;
}

/**
 * How many failures match, and when the limit-th most recent of them leaves the window (the moment one more
 * attempt becomes possible).
 */
async function failures(where: "pair" | "user" | "address", username: string, address: string | null, limit: number, windowMs: number): Promise<Row> {
  const rows = await db().$queryRaw<{ n: bigint; until: Date | null }[]>`
    WITH f AS (
      SELECT at FROM audit_log
      WHERE action = ${LOGIN_FAILED}
        AND at > now() - (${windowMs}::double precision * interval '1 millisecond')
        AND (${where} <> 'pair' OR (actor_name = ${username} AND address IS NOT DISTINCT FROM ${address}::text
             AND at > coalesce((SELECT max(at) FROM audit_log WHERE action = ${LOGIN_OK} AND actor_name = ${username}
                                 AND address IS NOT DISTINCT FROM ${address}::text), '-infinity')))
        AND (${where} <> 'user' OR actor_name = ${username})
        AND (${where} <> 'address' OR address = ${address}::text)
    )
    SELECT (SELECT count(*) FROM f) AS n,
           (SELECT at + (${windowMs}::double precision * interval '1 millisecond') FROM f ORDER BY at DESC OFFSET ${limit - 1} LIMIT 1) AS until`;
  return { n: Number(rows[0]?.n ?? 0), until: rows[0]?.until ?? null };
}

function blocked(until: Date | null, what: string): Throttle {
  const seconds = Math.max(1, Math.ceil(((until?.getTime() ?? Date.now() + 60_000) - Date.now()) / 1000));
  const minutes = Math.ceil(seconds / 60);
  return {
    allowed: false,
    retryAfterSeconds: seconds,
    message: `Too many failed sign-in attempts ${what}. Try again in ${minutes} minute${minutes === 1 ? "" : "s"}.`,
  };
}

/** Whether a sign-in attempt for `username` from `address` may be checked at all right now. */
export async function checkLoginThrottle(username: string, address: string | null): Promise<Throttle> {
  const c = authConfig();
  const pair = await failures("pair", username, address, c.loginMaxPerUserAddress, c.loginWindowMs);
  if (pair.n >= c.loginMaxPerUserAddress) return blocked(pair.until, "for this username from your address");
  const user = await failures("user", username, address, c.loginMaxPerUser, c.loginWindowMs);
  if (user.n >= c.loginMaxPerUser) return blocked(user.until, "for this username");
  if (address) {
    const addr = await failures("address", username, address, c.loginMaxPerAddress, c.loginWindowMs);
    if (addr.n >= c.loginMaxPerAddress) return blocked(addr.until, "from your address");
  }
  return { allowed: true };
}
