// Authentication settings, from the environment with safe defaults.

const num = (name: string, fallback: number, min: number): number => {
  const raw = process.env[name];
  const value = raw === undefined || raw === "" ? fallback : Number(raw);
  return Number.isFinite(value) && value >= min ? value : fallback;
};

export const SESSION_COOKIE = "iiswatch_session";

/** The header proxy.ts sets to the requested path, so a sign-in redirect can come back to it. */
export const PATH_HEADER = "x-iiswatch-path";

export interface AuthConfig {
  /** A session ends after this long without a request (IISWATCH_SESSION_IDLE_MINUTES, default 8 h). */
  sessionIdleMs: number;
  /** ...and at the latest this long after sign-in (IISWATCH_SESSION_MAX_HOURS, default 7 days). */
  sessionMaxMs: number;
  /** Failed sign-ins are remembered for this window (IISWATCH_LOGIN_WINDOW_MINUTES, default 15); it also caps a delay. */
  loginWindowMs: number;
  /** Failures per username and address before each attempt waits (IISWATCH_LOGIN_MAX_FAILURES, default 5). */
  loginMaxPerUserAddress: number;
  /** Failures of one username from any address that put it under attack (see lib/auth/ratelimit.ts). */
  loginUserUnderAttack: number;
  /** Failures per address for any username before each attempt waits (bounds password spraying). */
  loginMaxPerAddress: number;
  /** Cookies get `Secure` on https requests; IISWATCH_SECURE_COOKIES=1 forces it (TLS terminated elsewhere). */
  forceSecureCookies: boolean;
}

export function authConfig(): AuthConfig {
  const perPair = num("IISWATCH_LOGIN_MAX_FAILURES", 5, 1);
  return {
    sessionIdleMs: num("IISWATCH_SESSION_IDLE_MINUTES", 8 * 60, 1) * 60_000,
    sessionMaxMs: num("IISWATCH_SESSION_MAX_HOURS", 7 * 24, 1) * 3_600_000,
    loginWindowMs: num("IISWATCH_LOGIN_WINDOW_MINUTES", 15, 1) * 60_000,
    loginMaxPerUserAddress: perPair,
    loginUserUnderAttack: perPair * 4,
    loginMaxPerAddress: perPair * 10,
    forceSecureCookies: process.env.IISWATCH_SECURE_COOKIES === "1" || process.env.IISWATCH_SECURE_COOKIES === "true",
  };
}
