// The one action pattern, as a user meets it: a bad field is named next to it (and nothing is done), a refusal
// is said in words, an unexpected failure shows a generic message (never its internals), and Next.js redirects
// still happen. Real actions and the real database; next/headers is the per-call request of tests/next-request.
import { beforeEach, describe, expect, it, vi } from "vitest";
import { z } from "zod";
import { resetDatabase } from "../../tests/db-setup";

vi.mock("next/headers", async () => (await import("../../tests/next-request")).headersModule);
vi.mock("next/cache", () => ({ revalidatePath: () => undefined, revalidateTag: () => undefined }));

const { setRequest, interruptOf } = await import("../../tests/next-request");
const { db } = await import("../db/client");
const { SESSION_COOKIE } = await import("../auth/config");
const { createSession } = await import("../auth/sessions");
const { createUser } = await import("../auth/users");
const { cliActor } = await import("../audit/log");
const { defineAction, defineFormAction, UNEXPECTED_ERROR } = await import("./define-action");
const { UserFacingError } = await import("../errors/user-facing-error");

function form(fields: Record<string, string>) {
  const f = new FormData();
  for (const [k, v] of Object.entries(fields)) f.set(k, v);
  return f;
}

beforeEach(async () => {
  await resetDatabase();
  const user = await createUser({ username: "analyst1", password: "pattern passphrase 1", role: "analyst" }, cliActor());
  setRequest({ [SESSION_COOKIE]: (await createSession(user.id)).token }, { host: "iiswatch.test", "x-forwarded-for": "192.0.2.10" });
});

describe("server actions", () => {
  it("name the field that is wrong, next to it, and do nothing", async () => {
    const { createTokenAction } = await import("../../app/settings/tokens/actions");
    const state = await createTokenAction({}, form({ name: "nightly", days: "thirty" }));
    expect(state).toEqual({ error: "Give a whole number of days, or leave it empty.", fieldErrors: { days: ["Give a whole number of days, or leave it empty."] } });
    expect(await db().apiToken.count()).toBe(0);

    const { changePasswordAction } = await import("../../app/settings/password/actions");
    const mismatch = await changePasswordAction({}, form({ current: "pattern passphrase 1", password: "a new passphrase 1", confirm: "a new passphrase 2" }));
    expect(mismatch.fieldErrors).toEqual({ confirm: ["The two new passwords differ."] });
    expect(mismatch.error).toBe("The two new passwords differ.");
  });

  it("hand back what they made when they succeed", async () => {
    const { createTokenAction } = await import("../../app/settings/tokens/actions");
    const state = await createTokenAction({}, form({ name: "nightly", days: "30" }));
    expect(state.ok).toMatch(/Created "nightly"/);
    expect(state.token).toMatch(/^iisw_/);
    expect((await db().apiToken.findFirstOrThrow()).expiresAt!.getTime()).toBeGreaterThan(Date.now() + 29 * 86_400_000);
  });

  it("say a refusal in words, on the field it is about", async () => {
    const refuse = defineAction({
      permission: "data:read",
      input: z.object({ expiresAt: z.string() }),
      audit: "read-only",
      run: async () => {
        throw new UserFacingError("The expiry is not a date.", { field: "expiresAt" });
      },
    });
    expect(await refuse({}, form({ expiresAt: "soon" }))).toEqual({ error: "The expiry is not a date.", fieldErrors: { expiresAt: ["The expiry is not a date."] } });
  });

  it("answer an unexpected failure with a generic message, not its details", async () => {
    vi.spyOn(console, "error").mockImplementation(() => undefined);
    const broken = defineAction({
      permission: "data:read",
      input: z.object({}),
      audit: "read-only",
      run: async () => {
        throw new Error('relation "secret_table" does not exist');
      },
    });
    expect(await broken({}, form({}))).toEqual({ error: UNEXPECTED_ERROR });
    vi.restoreAllMocks();
  });

  it("let redirects through, and refuse what the role does not allow", async () => {
    const { setAsOfAction } = await import("../../app/as-of-actions");
    const redirect = await setAsOfAction(form({ asOf: "auto", back: "/hosts?at=2026-01-01" })).catch((e: unknown) => interruptOf(e));
    expect(redirect).toEqual({ kind: "redirect", to: "/hosts" });

    const { updateSettingsAction } = await import("../../app/detections/actions");
    expect(await updateSettingsAction({}, form({ id: "x", enabled: "true", riskScore: "" }))).toEqual({ error: "You are not allowed to do that." });
  });

  it("refuse a plain form's action the role does not allow with a 403, not silently", async () => {
    let ran = false;
    const adminOnly = defineFormAction({
      permission: "user:manage",
      input: z.object({}),
      audit: "read-only",
      run: async () => {
        ran = true;
      },
    });
    expect(await adminOnly(form({})).then(() => "returned", (e: unknown) => interruptOf(e))).toEqual({ kind: "status", status: 403 });
    expect(ran).toBe(false);
  });
});
