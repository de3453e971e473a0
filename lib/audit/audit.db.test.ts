// The audit log is append-only at the database level, filterable, and exports as formula-safe CSV.
import { beforeEach, describe, expect, it } from "vitest";
import { resetDatabase } from "../../tests/db-setup";
import { db } from "../db/client";
import { pgPool } from "../db/pg";
import { writeAudit } from "./log";
import { auditCsvExport, auditCsvStream, auditExportFilter, auditFilterParams, listAudit, type AuditRow } from "./queries";

beforeEach(resetDatabase);

const actor = { id: "11111111-1111-4111-8111-111111111111", username: "ann", address: "192.0.2.5" };

describe("audit log", () => {
  it("records who, what, before/after and the address; bigints and dates become JSON", async () => {
    await writeAudit(actor, { action: "notable.update", targetType: "notable", targetId: 42n, before: { status: "new" }, after: { status: "closed", at: new Date(0), n: 5n } });
    const row = await db().auditLog.findFirstOrThrow();
    expect(row).toMatchObject({ actorId: actor.id, actorName: "ann", action: "notable.update", targetType: "notable", targetId: "42", address: "192.0.2.5" });
    expect(row.before).toEqual({ status: "new" });
    expect(row.after).toEqual({ status: "closed", at: "1970-01-01T00:00:00.000Z", n: "5" });
  });

  it("refuses UPDATE and DELETE, from Prisma and from plain SQL", async () => {
    await writeAudit(actor, { action: "user.create", targetType: "user", targetId: "x" });
    await expect(db().auditLog.updateMany({ data: { action: "forged" } })).rejects.toThrow(/append-only/);
    await expect(db().auditLog.deleteMany({})).rejects.toThrow(/append-only/);
    await expect(pgPool().query(`UPDATE audit_log SET actor_name = 'someone else'`)).rejects.toThrow(/append-only/);
    await expect(pgPool().query(`DELETE FROM audit_log`)).rejects.toThrow(/append-only/);
    expect(await db().auditLog.findFirstOrThrow()).toMatchObject({ action: "user.create", actorName: "ann" });
  });

  it("filters by actor, action (exact or prefix), target and time", async () => {
    await writeAudit(actor, { action: "auth.login", targetType: "user", targetId: actor.id });
    await writeAudit({ id: null, username: "bob", address: "192.0.2.9" }, { action: "auth.login_failed", targetType: "user" });
    await writeAudit(actor, { action: "upload.create", targetType: "upload", targetId: "u1" });
    const f = (q: Record<string, string>) => listAudit(auditFilterParams.parse(q));
    expect((await f({})).total).toBe(3);
    expect((await f({ actor: "AN" })).rows.map((r) => r.action).sort()).toEqual(["auth.login", "upload.create"]);
    expect((await f({ action: "auth." })).total).toBe(2);
    expect((await f({ action: "auth.login" })).total).toBe(1);
    expect((await f({ targetType: "upload", targetId: "u1" })).total).toBe(1);
    expect((await f({ address: "192.0.2.9" })).total).toBe(1);
    expect((await f({ from: new Date(Date.now() + 60_000).toISOString() })).total).toBe(0);
    expect((await f({ to: new Date(Date.now() + 60_000).toISOString(), from: "2000-01-01" })).total).toBe(3);
    expect((await f({ from: "garbage" })).total).toBe(3);
  });

  it("exports every matching row as CSV with formula injection neutralised", async () => {
    await writeAudit({ id: null, username: "=HYPERLINK(\"http://evil\",\"x\")", address: "@evil" }, { action: "auth.login_failed", after: { reason: "+1" } });
    for (let i = 0; i < 1203; i++) await db().auditLog.create({ data: { action: "bulk.test", actorName: `u${i}` } });
    const text = await new Response(auditCsvStream({ action: "auth." })).text();
    const lines = text.split("\r\n");
    expect(lines[0]).toBe('"id","at","actor_id","actor","action","target_type","target_id","before","after","address"');
    expect(lines[1]).toContain(`"'=HYPERLINK(""http://evil"",""x"")"`);
    expect(lines[1]).toContain(`"'@evil"`);
    expect(lines[1]).toContain(`"{""reason"":""+1""}"`);
    expect(lines).toHaveLength(3);
    const all = await new Response(auditCsvStream({})).text();
    expect(all.split("\r\n").length).toBe(1 + 1204 + 1);
  });

  it("an export is never silently short nor wider than asked: bad filters are refused, a failure shows", async () => {
    for (const q of ["actor=%00", "action=auth.%00", "targetId=x%00", "from=not-a-date", "actor=" + "x".repeat(300), "%00=1"]) {
      expect(auditExportFilter(new URLSearchParams(q)), q).toHaveProperty("error");
    }
    expect(auditExportFilter(new URLSearchParams("actor=ann&from=2026-01-01"))).toMatchObject({ filter: { actor: "ann" } });
    // A query that fails, fails before the first byte (the route answers 500, not a 200 with only the header).
    async function* failing(after: number): AsyncGenerator<AuditRow> {
      for (let i = 0; i < after; i++) yield { id: BigInt(i + 1), at: new Date(0), actorId: null, actorName: "ann", action: "a", targetType: null, targetId: null, before: null, after: null, address: null };
      throw new Error("connection lost");
    }
    await expect(auditCsvExport({}, failing(0))).rejects.toThrow("connection lost");
    // Later, the file ends with an error line and the stream errors (the response is cut, not ended).
    const stream = await auditCsvExport({}, failing(3));
    const reader = stream.getReader();
    const decoder = new TextDecoder();
    let text = "";
    await expect(
      (async () => {
        for (;;) {
          const { done, value } = await reader.read();
          if (done) return;
          text += decoder.decode(value);
        }
      })(),
    ).rejects.toThrow("connection lost");
    expect(text.split("\r\n")).toHaveLength(1 + 3 + 1 + 1); // header, rows, the error line, and the last CRLF
    expect(text).toContain('"#ERROR","the export failed after 3 rows and is incomplete"');
  });
});
