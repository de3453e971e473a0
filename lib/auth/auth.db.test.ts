// Accounts, sessions, API tokens and sign-in rate limiting against a real database (Postgres or PGlite).
import { beforeEach, describe, expect, it } from "vitest";
import { resetDatabase } from "../../tests/db-setup";
import { db } from "../db/client";
import { cliActor } from "../audit/log";
import { login, logout } from "./login";
import { backoffMs, checkLoginThrottle } from "./ratelimit";
import { createSession, deleteUserSessions, validateSessionToken } from "./sessions";
import { createApiToken, listApiTokens, revokeApiToken, verifyApiToken } from "./tokens";
import { changeOwnPassword, createUser, setPassword, setupFirstAdmin, updateUser, UserError } from "./users";
import { sha256Hex } from "./crypto";

const PW = "a long passphrase 1";

beforeEach(resetDatabase);

const actions = async () => (await db().auditLog.findMany({ orderBy: { id: "asc" } })).map((r) => r.action);

describe("first run", () => {
  it("creates the first admin once, then refuses", async () => {
    const admin = await setupFirstAdmin({ username: "Root.Admin", password: PW }, { address: "10.0.0.1" });
    expect(admin).toMatchObject({ username: "root.admin", role: "admin", disabled: false });
    await expect(setupFirstAdmin({ username: "second", password: PW })).rejects.toThrow(/already done/);
    const row = await db().user.findUniqueOrThrow({ where: { id: admin.id } });
    expect(row.passwordHash).toMatch(/^\$scrypt\$/);
    expect(row.passwordHash).not.toContain(PW);
    const audit = await db().auditLog.findFirstOrThrow({ where: { action: "auth.setup" } });
    expect(audit).toMatchObject({ targetId: admin.id, address: "10.0.0.1", after: { username: "root.admin", role: "admin", disabled: false } });
  });

  it("lets only one of two racing setups win", async () => {
    const results = await Promise.allSettled([
      setupFirstAdmin({ username: "one", password: PW }),
      setupFirstAdmin({ username: "two", password: PW }),
    ]);
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    expect(await db().user.count()).toBe(1);
  });
});

describe("accounts", () => {
  it("creates users from the CLI with an audit row, and refuses duplicates and bad input", async () => {
    const u = await createUser({ username: "Alice", password: PW, role: "triager" }, cliActor());
    expect(u).toMatchObject({ username: "alice", role: "triager" });
    await expect(createUser({ username: "ALICE", password: PW, role: "analyst" }, cliActor())).rejects.toThrow(UserError);
    await expect(createUser({ username: "x", password: PW, role: "analyst" }, cliActor())).rejects.toThrow(/2–64/);
    await expect(createUser({ username: "bob", password: "short", role: "analyst" }, cliActor())).rejects.toThrow(/at least/);
    await expect(createUser({ username: "bob", password: PW, role: "root" as never }, cliActor())).rejects.toThrow(/role/);
    const row = await db().auditLog.findFirstOrThrow({ where: { action: "user.create" } });
    expect(row.actorName).toMatch(/^cli:/);
  });

  it("never demotes or disables the last enabled admin", async () => {
    const admin = await createUser({ username: "admin", password: PW, role: "admin" }, cliActor());
    await expect(updateUser(admin.id, { role: "analyst" }, cliActor())).rejects.toThrow(/last enabled admin/);
    await expect(updateUser(admin.id, { disabled: true }, cliActor())).rejects.toThrow(/last enabled admin/);
    const other = await createUser({ username: "admin2", password: PW, role: "admin" }, cliActor());
    await updateUser(admin.id, { role: "triager" }, cliActor());
    await expect(updateUser(other.id, { disabled: true }, cliActor())).rejects.toThrow(/last enabled admin/);
    const audit = await db().auditLog.findFirstOrThrow({ where: { action: "user.update" } });
    expect(audit.before).toMatchObject({ role: "admin" });
    expect(audit.after).toMatchObject({ role: "triager" });
  });
});

describe("sign-in and sessions", () => {
  it("signs in, stores only the hash of the cookie, and audits the address", async () => {
    const u = await createUser({ username: "ann", password: PW, role: "analyst" }, cliActor());
    const result = await login({ username: "ANN", password: PW, address: "192.0.2.7", userAgent: "test" });
    if (!result.ok) throw new Error(result.message);
    expect(result.user).toEqual({ id: u.id, username: "ann", role: "analyst" });
    const rows = await db().session.findMany();
    expect(rows).toHaveLength(1);
    expect(rows[0].id).toBe(sha256Hex(result.token));
    expect(rows[0].id).not.toBe(result.token);
    expect((await validateSessionToken(result.token))?.user.username).toBe("ann");
    const audit = await db().auditLog.findFirstOrThrow({ where: { action: "auth.login" } });
    expect(audit).toMatchObject({ actorId: u.id, actorName: "ann", address: "192.0.2.7" });
  });

  it("refuses wrong passwords and unknown users with one message, and records both", async () => {
    await createUser({ username: "ann", password: PW, role: "analyst" }, cliActor());
    const a = await login({ username: "ann", password: "wrong password!", address: "192.0.2.7" });
    const b = await login({ username: "nobody", password: PW, address: "192.0.2.7" });
    expect(a).toMatchObject({ ok: false, reason: "invalid", message: "Wrong username or password." });
    expect(b).toMatchObject({ ok: false, reason: "invalid", message: "Wrong username or password." });
    expect(await actions()).toEqual(["user.create", "auth.login_failed", "auth.login_failed"]);
    expect(await db().session.count()).toBe(0);
  });

  it("expires sessions (idle and absolute) and forgets them on logout", async () => {
    const u = await createUser({ username: "ann", password: PW, role: "analyst" }, cliActor());
    const s = await createSession(u.id);
    expect(await validateSessionToken(s.token)).not.toBeNull();
    await db().session.update({ where: { id: s.sessionId }, data: { expiresAt: new Date(Date.now() - 1000) } });
    expect(await validateSessionToken(s.token)).toBeNull();

    const s2 = await createSession(u.id);
    // Idle renewal never extends past the absolute lifetime.
    await db().session.update({ where: { id: s2.sessionId }, data: { createdAt: new Date(Date.now() - 8 * 24 * 3600_000), lastSeenAt: new Date(0) } });
    expect(await validateSessionToken(s2.token)).toBeNull();

    const s3 = await createSession(u.id);
    await logout(s3.sessionId, { id: u.id, username: "ann" });
    expect(await validateSessionToken(s3.token)).toBeNull();
    expect(await db().session.findUnique({ where: { id: s3.sessionId } })).toBeNull();
    expect(await actions()).toContain("auth.logout");
    expect(await validateSessionToken("not-a-session-token-at-all")).toBeNull();
    expect(await validateSessionToken("")).toBeNull();
  });

  it("slides the idle expiry forward on use", async () => {
    const u = await createUser({ username: "ann", password: PW, role: "analyst" }, cliActor());
    const s = await createSession(u.id);
    await db().session.update({ where: { id: s.sessionId }, data: { lastSeenAt: new Date(Date.now() - 3600_000), expiresAt: new Date(Date.now() + 60_000) } });
    const v = await validateSessionToken(s.token);
    expect(v!.expiresAt.getTime()).toBeGreaterThan(Date.now() + 7 * 3600_000);
  });

  it("ends sessions at once when a user is disabled, and refuses their sign-in", async () => {
    await createUser({ username: "admin", password: PW, role: "admin" }, cliActor());
    const u = await createUser({ username: "ann", password: PW, role: "analyst" }, cliActor());
    const s = await createSession(u.id);
    await updateUser(u.id, { disabled: true }, cliActor());
    expect(await validateSessionToken(s.token)).toBeNull();
    expect(await login({ username: "ann", password: PW, address: null })).toMatchObject({ ok: false, reason: "disabled" });
  });

  it("applies role changes to live sessions immediately", async () => {
    await createUser({ username: "admin", password: PW, role: "admin" }, cliActor());
    const u = await createUser({ username: "ann", password: PW, role: "analyst" }, cliActor());
    const s = await createSession(u.id);
    await updateUser(u.id, { role: "triager" }, cliActor());
    expect((await validateSessionToken(s.token))?.user.role).toBe("triager");
  });

  it("ends other sessions on a password change", async () => {
    const u = await createUser({ username: "ann", password: PW, role: "analyst" }, cliActor());
    const keep = await createSession(u.id);
    const other = await createSession(u.id);
    await setPassword(u.id, "another passphrase 2", { id: u.id, username: "ann" }, { keepSessionId: keep.sessionId });
    expect(await validateSessionToken(keep.token)).not.toBeNull();
    expect(await validateSessionToken(other.token)).toBeNull();
    expect((await login({ username: "ann", password: PW, address: null })).ok).toBe(false);
    expect((await login({ username: "ann", password: "another passphrase 2", address: null })).ok).toBe(true);
    expect(await actions()).toContain("user.password_change");
    expect(await deleteUserSessions(u.id)).toBe(2);
  });

  it("changes one's own password only with the current one, which a wrong guess leaves untouched", async () => {
    const u = await createUser({ username: "ann", password: PW, role: "analyst" }, cliActor());
    const me = { id: u.id, username: "ann" };
    await expect(changeOwnPassword(me, "not my password", "another passphrase 2")).rejects.toThrow("The current password is wrong.");
    expect((await login({ username: "ann", password: PW, address: null })).ok).toBe(true);
    await changeOwnPassword(me, PW, "another passphrase 2");
    expect((await login({ username: "ann", password: "another passphrase 2", address: null })).ok).toBe(true);
    expect(await actions()).toContain("user.password_change");
  });
});

describe("sign-in rate limiting", () => {
  // Failures written straight to the log: what many attempts would leave, without waiting out real delays.
  const failed = (actorName: string, address: string | null, count = 1, agoMs = 0) =>
    db().auditLog.createMany({ data: Array.from({ length: count }, () => ({ action: "auth.login_failed", actorName, address, at: new Date(Date.now() - agoMs) })) });

  it("slows a username+address after 5 failures with a clear message, other addresses still get in", async () => {
    await createUser({ username: "ann", password: PW, role: "analyst" }, cliActor());
    for (let i = 0; i < 5; i++) expect((await login({ username: "ann", password: `wrong ${i} password`, address: "198.51.100.1" })).ok).toBe(false);
    const blocked = await login({ username: "ann", password: PW, address: "198.51.100.1" });
    expect(blocked).toMatchObject({ ok: false, reason: "throttled" });
    if (blocked.ok) throw new Error("unreachable");
    expect(blocked.message).toMatch(/^Too many failed sign-in attempts for this username from your address\. Try again in 1[0-5] seconds\.$/);
    expect(blocked.retryAfterSeconds).toBeGreaterThan(10);
    expect(blocked.retryAfterSeconds).toBeLessThanOrEqual(15);
    // The right password does not help while blocked; no session is created.
    expect(await db().session.count()).toBe(0);
    // The same user from another address is not slowed by this pair's failures.
    expect((await login({ username: "ann", password: PW, address: "198.51.100.2" })).ok).toBe(true);
  });

  it("makes each further failure from an address wait twice as long, up to the window, and lets it in once waited", async () => {
    await failed("ann", "198.51.100.1", 4);
    expect(await checkLoginThrottle("ann", "198.51.100.1")).toEqual({ allowed: true });
    const waits: number[] = [];
    for (let n = 5; n <= 20; n++) {
      await failed("ann", "198.51.100.1");
      const t = await checkLoginThrottle("ann", "198.51.100.1");
      if (t.allowed) throw new Error(`not throttled after ${n} failures`);
      waits.push(t.retryAfterSeconds);
    }
    // 15 s, 30 s, 1 min, 2 min, 4 min, 8 min, then the 15-minute window.
    expect(waits.slice(0, 7)).toEqual([15, 30, 60, 120, 240, 480, 900].map((s) => expect.closeTo(s, -1)));
    expect(waits.slice(6).every((s) => s > 890 && s <= 900)).toBe(true);
    for (let i = 1; i < 7; i++) expect(waits[i]).toBeGreaterThan(waits[i - 1]);
    const last = await checkLoginThrottle("ann", "198.51.100.1");
    if (!last.allowed) expect(last.message).toMatch(/Try again in 15 minutes\.$/);
    // The 6th failure's delay (30 s) has passed: the next attempt may go ahead.
    await resetDatabase();
    await failed("ann", "198.51.100.1", 6, 31_000);
    expect(await checkLoginThrottle("ann", "198.51.100.1")).toEqual({ allowed: true });
    expect(backoffMs(4, 5, 900_000)).toBe(0);
  });

  it("a success from the same address clears the pair's count", async () => {
    await createUser({ username: "ann", password: PW, role: "analyst" }, cliActor());
    for (let i = 0; i < 4; i++) await login({ username: "ann", password: "wrong password x", address: "198.51.100.1" });
    expect((await login({ username: "ann", password: PW, address: "198.51.100.1" })).ok).toBe(true);
    for (let i = 0; i < 4; i++) await login({ username: "ann", password: "wrong password x", address: "198.51.100.1" });
    expect((await login({ username: "ann", password: PW, address: "198.51.100.1" })).ok).toBe(true);
  });

  it("cannot be used to lock a user out: failures for admin from 50 addresses leave a fresh address free", async () => {
    await createUser({ username: "admin", password: PW, role: "admin" }, cliActor());
    for (let i = 0; i < 50; i++) await failed("admin", `203.0.113.${i}`, 4);
    // The admin, from an address that has not failed for them, signs in at once.
    expect((await login({ username: "admin", password: PW, address: "192.0.2.50" })).ok).toBe(true);
    // The guessers are slowed: under attack, a single failure from an address starts its delay...
    const again = await login({ username: "admin", password: "guess number two", address: "203.0.113.7" });
    expect(again).toMatchObject({ ok: false, reason: "throttled" });
    // ...so a fresh address gets one guess, then waits.
    expect(await login({ username: "admin", password: "guess number one", address: "203.0.113.200" })).toMatchObject({ ok: false, reason: "invalid" });
    expect(await login({ username: "admin", password: "guess number two", address: "203.0.113.200" })).toMatchObject({ ok: false, reason: "throttled" });
    // And still nobody else is affected.
    expect((await login({ username: "admin", password: PW, address: "192.0.2.51" })).ok).toBe(true);
  });

  it("slows an address spraying passwords over many usernames, for every username", async () => {
    await createUser({ username: "ann", password: PW, role: "analyst" }, cliActor());
    for (let i = 0; i < 50; i++) await failed(`user${i}`, "198.51.100.66");
    const r = await login({ username: "ann", password: PW, address: "198.51.100.66" });
    expect(r).toMatchObject({ ok: false, reason: "throttled" });
    if (!r.ok) expect(r.message).toMatch(/^Too many failed sign-in attempts from your address\. Try again in 1[0-5] seconds\.$/);
    await failed("user50", "198.51.100.66");
    const longer = await checkLoginThrottle("someone", "198.51.100.66");
    expect(longer.allowed ? 0 : longer.retryAfterSeconds).toBeGreaterThan(15);
    expect((await login({ username: "ann", password: PW, address: "198.51.100.67" })).ok).toBe(true);
  });

  it("only counts failures inside the window", async () => {
    await createUser({ username: "ann", password: PW, role: "analyst" }, cliActor());
    // Old failures, written straight to the log (rows cannot be back-dated by an UPDATE: the log is append-only).
    await failed("ann", "198.51.100.9", 10, 3600_000);
    expect((await login({ username: "ann", password: PW, address: "198.51.100.9" })).ok).toBe(true);
  });
});

describe("API tokens", () => {
  it("are shown once, stored hashed, verified, and revocable", async () => {
    const u = await createUser({ username: "ann", password: PW, role: "admin" }, cliActor());
    const actor = { id: u.id, username: "ann", address: "192.0.2.1" };
    const { token, summary } = await createApiToken({ userId: u.id, name: "nightly upload" }, actor);
    expect(token).toMatch(/^iisw_[A-Za-z0-9_-]{43}$/);
    const row = await db().apiToken.findUniqueOrThrow({ where: { id: summary.id } });
    expect(row.tokenHash).toBe(sha256Hex(token));
    expect(JSON.stringify(row)).not.toContain(token);
    expect(summary.prefix).toBe(token.slice(0, 11));
    expect((await verifyApiToken(token))?.user).toEqual({ id: u.id, username: "ann", role: "admin" });
    expect(await verifyApiToken(token.slice(0, -1) + (token.endsWith("A") ? "B" : "A"))).toBeNull();
    expect(await verifyApiToken("iisw_short")).toBeNull();

    expect(await revokeApiToken(summary.id, actor, "00000000-0000-0000-0000-000000000000")).toBe(false);
    expect(await revokeApiToken(summary.id, actor, u.id)).toBe(true);
    expect(await verifyApiToken(token)).toBeNull();
    expect(await revokeApiToken(summary.id, actor)).toBe(false);
    expect((await listApiTokens({ userId: u.id }))[0].revokedAt).not.toBeNull();
    const audit = await db().auditLog.findMany({ where: { action: { startsWith: "token." } }, orderBy: { id: "asc" } });
    expect(audit.map((a) => a.action)).toEqual(["token.create", "token.revoke"]);
    expect(JSON.stringify(audit, (_k, v) => (typeof v === "bigint" ? String(v) : v))).not.toContain(token);
  });

  it("stop working when expired or when the owner is disabled", async () => {
    await createUser({ username: "admin", password: PW, role: "admin" }, cliActor());
    const u = await createUser({ username: "ann", password: PW, role: "analyst" }, cliActor());
    const { token, summary } = await createApiToken({ userId: u.id, name: "t", expiresAt: new Date(Date.now() + 60_000) }, cliActor());
    expect(await verifyApiToken(token)).not.toBeNull();
    await db().apiToken.update({ where: { id: summary.id }, data: { expiresAt: new Date(Date.now() - 1) } });
    expect(await verifyApiToken(token)).toBeNull();
    const t2 = await createApiToken({ userId: u.id, name: "t2" }, cliActor());
    await updateUser(u.id, { disabled: true }, cliActor());
    expect(await verifyApiToken(t2.token)).toBeNull();
  });
});
