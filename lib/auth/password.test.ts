import { describe, expect, it } from "vitest";
import { checkPasswordPolicy, hashPassword, PasswordPolicyError, verifyPassword } from "./password";

describe("password hashing", () => {
  it("hashes with a fresh salt in PHC form and verifies", async () => {
    const a = await hashPassword("correct horse battery");
    const b = await hashPassword("correct horse battery");
    expect(a).toMatch(/^\$scrypt\$ln=15,r=8,p=3\$[A-Za-z0-9_-]{22}\$[A-Za-z0-9_-]{43}$/);
    expect(a).not.toBe(b);
    expect(await verifyPassword(a, "correct horse battery")).toEqual({ ok: true, needsRehash: false });
    expect((await verifyPassword(a, "correct horse batterY")).ok).toBe(false);
    expect((await verifyPassword(a, "")).ok).toBe(false);
  });

  it("never matches malformed or absurd hashes", async () => {
    for (const stored of ["", "plain", "$scrypt$ln=15,r=8,p=3$$", "$scrypt$ln=40,r=8,p=3$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaA"]) {
      expect((await verifyPassword(stored, "whatever")).ok).toBe(false);
    }
  });

  it("flags hashes made with weaker parameters for re-hashing", async () => {
    const crypto = await import("node:crypto");
    const salt = crypto.randomBytes(16);
    const key = crypto.scryptSync("old password 1", salt, 32, { N: 2 ** 14, r: 8, p: 1 });
    const stored = `$scrypt$ln=14,r=8,p=1$${salt.toString("base64url")}$${key.toString("base64url")}`;
    expect(await verifyPassword(stored, "old password 1")).toEqual({ ok: true, needsRehash: true });
  });

  it("normalises Unicode so the same password typed differently still matches", async () => {
    const stored = await hashPassword("caf\u00e9-password-1");
    expect((await verifyPassword(stored, "cafe\u0301-password-1")).ok).toBe(true);
  });

  it("enforces a minimal policy with clear messages", () => {
    expect(() => checkPasswordPolicy("short")).toThrow(PasswordPolicyError);
    expect(() => checkPasswordPolicy("aaaaaaaaaaaa")).toThrow(/repetitive/);
    expect(() => checkPasswordPolicy("alice-is-great", "alice")).toThrow(/username/);
    expect(() => checkPasswordPolicy("x".repeat(300))).toThrow(/at most/);
    expect(() => checkPasswordPolicy("a fine passphrase", "alice")).not.toThrow();
  });
});
