// The server checks what the UI hides: actions the pages offer only in some state refuse, on the server, when
// called in another (a stale page, a crafted request). Each is called as the UI would call it, as an admin.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { resetDatabase } from "./db-setup";

vi.mock("next/headers", async () => (await import("./next-request")).headersModule);
vi.mock("next/cache", () => ({ revalidatePath: () => undefined, revalidateTag: () => undefined }));

const { setRequest } = await import("./next-request");
const { db } = await import("../lib/db/client");
const { signedInUser } = await import("./support/accounts");

const NEW_MODULE_ADDED = "55f22929-cfd3-4388-ba5c-4d01fac7ee7e";
let adminId = "";

function form(fields: Record<string, string>) {
  const f = new FormData();
  for (const [k, v] of Object.entries(fields)) f.set(k, v);
  return f;
}

beforeAll(() => {
  process.env.IISWATCH_DATA_DIR = fs.mkdtempSync(path.join(os.tmpdir(), "iiswatch-state-"));
});

beforeEach(async () => {
  await resetDatabase();
  const admin = await signedInUser("admin1", "admin", "state passphrase 1");
  adminId = admin.id;
  setRequest(admin.cookies, { host: "iiswatch.test", "x-forwarded-for": "192.0.2.10" });
});

describe("the server checks what the UI hides", () => {
  it("demo data (offered on an empty dashboard only) is refused once there are events", async () => {
    const upload = await db().upload.create({ data: { filename: "real.xml", status: "done" } });
    await db().host.create({ data: { id: "web01", name: "WEB01", eventCount: 1 } });
    await db().event.create({
      data: {
        eventKey: "k", uploadId: upload.id, position: 1, time: new Date(), host: "WEB01", hostId: "web01", channel: "Application",
        provider: "Microsoft-Windows-IIS-W3SVC-WP", eventCode: 2282, source: "XmlWinEventLog:Application", sourcetype: "XmlWinEventLog", format: "xml", raw: "<Event/>",
      },
    });
    const { loadDemoAction } = await import("../app/demo-actions");
    expect((await loadDemoAction()).error).toMatch(/data/i);
    expect(await db().upload.count()).toBe(1);
  });

  it("deleting an upload (offered once it is done or failed) is refused while it is in progress", async () => {
    const { deleteUploadAction } = await import("../app/uploads/[id]/actions");
    for (const status of ["receiving", "queued", "processing", "detecting"] as const) {
      const upload = await db().upload.create({ data: { filename: `${status}.xml`, status } });
      expect((await deleteUploadAction({}, form({ id: upload.id, confirm: "on" }))).error, status).toBeTruthy();
      expect(await db().upload.findUnique({ where: { id: upload.id } }), status).not.toBeNull();
    }
  });

  it("an expired suppression (no toggle on its page) cannot be enabled or disabled", async () => {
    const s = await db().suppression.create({ data: { detectionId: NEW_MODULE_ADDED, match: { dest: "web01" }, reason: "old", enabled: false, expiresAt: new Date(Date.now() - 60_000) } });
    const { setSuppressionEnabledAction } = await import("../app/suppressions/actions");
    expect(await setSuppressionEnabledAction({}, form({ id: String(s.id), enabled: "true" }))).toEqual({ error: "This suppression has expired: edit it to set a new expiry first." });
    expect((await db().suppression.findUniqueOrThrow({ where: { id: s.id } })).enabled).toBe(false);
    expect(await db().auditLog.count({ where: { action: "suppression.enable" } })).toBe(0);
  });

  it("the last enabled admin (whose role and switch the page still shows) cannot be demoted or disabled", async () => {
    const { updateUserAction } = await import("../app/admin/users/actions");
    expect((await updateUserAction({}, form({ id: adminId, role: "analyst" }))).error).toMatch(/last enabled admin/);
    expect((await updateUserAction({}, form({ id: adminId, disabled: "true" }))).error).toMatch(/last enabled admin/);
    expect(await db().user.findUniqueOrThrow({ where: { id: adminId } })).toMatchObject({ role: "admin", disabled: false });
  });
});
