// The server's log has one line per sign-in attempt — success, failure, refusal — naming the username and the
// client's address, never the password, as it has per upload and per detection run.
import { afterEach, beforeEach, describe, expect, it, vi, type MockInstance } from "vitest";
import { resetDatabase } from "../../tests/db-setup";
import { db } from "../db/client";
import { cliActor } from "../audit/log";
import { login } from "./login";
import { createUser, updateUser } from "./users";

const PW = "a long passphrase 1";
let consoleLog: MockInstance<typeof console.log>;

beforeEach(async () => {
  await resetDatabase();
  consoleLog = vi.spyOn(console, "log").mockImplementation(() => {});
});
afterEach(() => consoleLog.mockRestore());

/** The sign-in lines logged since the last call. */
const signInLines = () => {
  const lines = consoleLog.mock.calls.map((args) => args.map(String).join(" ")).filter((l) => l.startsWith("sign-in"));
  consoleLog.mockClear();
  return lines;
};

describe("the server logs each sign-in", () => {
  it("a success and each kind of failure: one line each, with username and address, without the password", async () => {
    const ann = await createUser({ username: "ann", password: PW, role: "analyst" }, cliActor());
    consoleLog.mockClear();

    await login({ username: "ANN", password: PW, address: "192.0.2.7" });
    expect(signInLines()).toEqual(['sign-in "ann" from 192.0.2.7: ok']);

    await login({ username: "ann", password: "wrong password!", address: "192.0.2.8" });
    expect(signInLines()).toEqual(['sign-in "ann" from 192.0.2.8: failed (wrong password)']);

    await login({ username: "nobody", password: PW, address: null });
    expect(signInLines()).toEqual(['sign-in "nobody" from unknown address: failed (no such user)']);

    await updateUser(ann.id, { disabled: true }, cliActor());
    await login({ username: "ann", password: PW, address: "192.0.2.7" });
    expect(signInLines()).toEqual(['sign-in "ann" from 192.0.2.7: failed (account disabled)']);

    const logged = consoleLog.mock.calls.flat().map(String).join("\n");
    expect(logged).not.toContain(PW);
  });

  it("a refusal while throttled is logged too", async () => {
    await createUser({ username: "ann", password: PW, role: "analyst" }, cliActor());
    await db().auditLog.createMany({ data: Array.from({ length: 5 }, () => ({ action: "auth.login_failed", actorName: "ann", address: "198.51.100.1" })) });
    consoleLog.mockClear();
    await login({ username: "ann", password: PW, address: "198.51.100.1" });
    expect(signInLines()).toEqual([expect.stringMatching(/^sign-in "ann" from 198\.51\.100\.1: refused \(throttled for \d+ s\)$/)]);
  });

  it("a username typed with a line break cannot forge a log line", async () => {
    await login({ username: 'eve\nsign-in "admin" from 10.0.0.1: ok', password: "whatever it is", address: "203.0.113.9" });
    const lines = signInLines();
    expect(lines).toHaveLength(1);
    expect(lines[0]).not.toContain("\n");
    expect(lines[0]).toBe('sign-in "eve\\nsign-in \\"admin\\" from 10.0.0.1: ok" from 203.0.113.9: failed (no such user)');
  });
});
