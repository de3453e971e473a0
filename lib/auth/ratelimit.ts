// Sign-in throttling, counted from the audit log's failed sign-ins over a sliding window (so it survives
// restarts and needs no table of its own). Throttling only ever slows the address that failed — never another
// one — so nobody can lock a user out by failing sign-ins under their name:
//
// - per username and address (guessing one password): IISWATCH_LOGIN_MAX_FAILURES failures are free, then each
//   further attempt waits 15 s after the last failure, doubling with every failure (30 s, 1 min, …) up to the
//   window. A success from that address clears the count.
// - per address, any username (password spraying): ten times as many failures are free, then the same doubling.
// - a username failed from many addresses (four times the free failures, from any address) is under attack: an
//   address's very first failure for it starts its delay. An address that has not failed for it — the user's
//   own, usually — is not slowed at all. A guesser holding many addresses still gets only one try from each, and
//   a locked-out user is never the price.
import { db } from "../db/client";
import { authConfig } from "./config";

export const LOGIN_FAILED = "auth.login_failed";
export const LOGIN_OK = "auth.login";

export type Throttle = { allowed: true } | { allowed: false; retryAfterSeconds: number; message: string };

/** The first delay once the free failures are used up; each further failure doubles it (up to the window). */
export const BASE_DELAY_MS = 15_000;

/** How long after the last of `n` failures the next attempt must wait, `free` of them costing nothing. */
export function backoffMs(n: number, free: number, capMs: number): number {
  if (n < free) return 0;
  return Math.min(capMs, BASE_DELAY_MS * 2 ** Math.min(n - free, 30));
}

interface Counts {
  pairN: number;
  pairLast: Date | null;
  userN: number;
  addrN: number;
  addrLast: Date | null;
  now: Date;
}

async function counts(username: string, address: string | null, windowMs: number): Promise<Counts> {
  const rows = await db().$queryRaw<
    { pair_n: bigint; pair_last: Date | null; user_n: bigint; addr_n: bigint; addr_last: Date | null; now: Date }[]
  >`
    WITH ok AS (
      SELECT coalesce(max(at), '-infinity') AS at FROM audit_log
      WHERE action = ${LOGIN_OK} AND actor_name = ${username} AND address IS NOT DISTINCT FROM ${address}::text
    ), f AS (
      SELECT at, actor_name, address FROM audit_log
      WHERE action = ${LOGIN_FAILED}
        AND at > now() - (${windowMs}::double precision * interval '1 millisecond')
        AND (actor_name = ${username} OR address = ${address}::text)
    ), pair AS (
      SELECT at FROM f WHERE actor_name = ${username} AND address IS NOT DISTINCT FROM ${address}::text AND at > (SELECT at FROM ok)
    )
    SELECT (SELECT count(*) FROM pair) AS pair_n,
           (SELECT max(at) FROM pair) AS pair_last,
           (SELECT count(*) FROM f WHERE actor_name = ${username}) AS user_n,
           (SELECT count(*) FROM f WHERE address = ${address}::text) AS addr_n,
           (SELECT max(at) FROM f WHERE address = ${address}::text) AS addr_last,
           now() AS now`;
  const r = rows[0];
  return {
    pairN: Number(r?.pair_n ?? 0),
    pairLast: r?.pair_last ?? null,
    userN: Number(r?.user_n ?? 0),
    addrN: Number(r?.addr_n ?? 0),
    addrLast: r?.addr_last ?? null,
    now: r?.now ?? new Date(),
  };
}

function wait(seconds: number): string {
  if (seconds < 60) return `${seconds} second${seconds === 1 ? "" : "s"}`;
  const minutes = Math.ceil(seconds / 60);
  return `${minutes} minute${minutes === 1 ? "" : "s"}`;
}

/** Whether a sign-in attempt for `username` from `address` may be checked at all right now. */
export async function checkLoginThrottle(username: string, address: string | null): Promise<Throttle> {
  const c = authConfig();
  const n = await counts(username, address, c.loginWindowMs);
  const underAttack = n.userN >= c.loginUserUnderAttack;
  // (Measured on the database's clock, which stamped the failures.)
  const remaining = (last: Date | null, delay: number) => (last && delay > 0 ? last.getTime() + delay - n.now.getTime() : 0);
  const pair = remaining(n.pairLast, backoffMs(n.pairN, underAttack ? 1 : c.loginMaxPerUserAddress, c.loginWindowMs));
  const addr = address ? remaining(n.addrLast, backoffMs(n.addrN, c.loginMaxPerAddress, c.loginWindowMs)) : 0;
  if (pair <= 0 && addr <= 0) return { allowed: true };
  const seconds = Math.max(1, Math.ceil(Math.max(pair, addr) / 1000));
  const what = pair >= addr ? "for this username from your address" : "from your address";
  return { allowed: false, retryAfterSeconds: seconds, message: `Too many failed sign-in attempts ${what}. Try again in ${wait(seconds)}.` };
}
