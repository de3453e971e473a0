// The notables workflow on the real database: the URL-driven queue (filters, sort, pages), status/owner/
// disposition/comments on one notable and on a filtered selection, each change audited with before and after,
// and urgency following the host's asset priority.
import { beforeEach, describe, expect, it } from "vitest";
import { resetDatabase } from "../../tests/db-setup";
import type { Actor } from "../audit/log";
import { db } from "../db/client";
import { runScheduled } from "../detections/runs";
import { event29Parts, normalized, storeAsUpload } from "../../tests/support/iis-events";
import { notableListParams, notableQuery } from "./fields";
import { createSuppression, setSuppressionEnabled } from "./suppressions";
import { assignableOwners, commentOnNotable, getNotable, listNotables, MAX_BULK, notableIdsMatching, setHostPriority, updateNotables } from "./notables";

const HOUR = 3_600_000;
const base = new Date(Math.floor(Date.now() / HOUR) * HOUR - 20 * HOUR);
const t = (minutes: number) => new Date(base.getTime() + minutes * 60_000).toISOString();
const addModule = (name: string) => `/system.webServer/globalModules/add[@name="${name}"]`;
const q = (p: Record<string, string> = {}) => notableListParams.parse(p);

let tina: Actor;
let ada: Actor;
let alan: Actor;

beforeEach(async () => {
  await resetDatabase();
  const mk = async (username: string, role: "analyst" | "triager" | "admin") => {
    const u = await db().user.create({ data: { username, passwordHash: "x", role } });
    return { id: u.id, username, address: "198.51.100.1" };
  };
  tina = await mk("tina", "triager");
  ada = await mk("ada", "admin");
  alan = await mk("alan", "analyst");
  // Five notables: web01 x3 (one high-priority host later), web02 x2.
  await storeAsUpload(
    normalized(
      [
        { host: "web01", time: t(1), configuration: addModule("A") },
        { host: "web01", time: t(2), configuration: addModule("B") },
        { host: "web01", time: t(3), configuration: addModule("C") },
        { host: "web02", time: t(4), configuration: addModule("D") },
        { host: "web02", time: t(5), configuration: addModule("E") },
      ].map((i) => event29Parts(i, "xml")),
      "xml",
    ),
  );
  await runScheduled(new Date(base.getTime() + HOUR));
});

const ids = async (p: Record<string, string> = {}, viewer: string | null = null) => (await listNotables(q(p), viewer)).rows.map((r) => r.id);

describe("the queue", () => {
  it("lists open notables, filters, sorts and pages from URL parameters", async () => {
    const all = await listNotables(q(), null);
    expect(all.total).toBe(5);
    expect(all.rows[0]).toMatchObject({ status: "new", severity: "medium", urgency: "medium", owner: null, comments: 0, suppressed: false, title: "Windows IIS Components New Module Added" });
    expect(await ids({ dest: "WEB02" })).toHaveLength(2);
    // Any part of the host name, as on the hosts page; LIKE's wildcards are taken literally.
    expect(await ids({ dest: "eb0" })).toHaveLength(5);
    expect(await ids({ dest: "web_2" })).toHaveLength(0);
    const page2 = await listNotables(q({ size: "10", page: "1", sort: "dest", dir: "asc" }), null);
    expect(page2.rows.map((r) => r.dest)).toEqual(["web01", "web01", "web01", "web02", "web02"]);
    expect(await ids({ page: "2", size: "10" })).toEqual([]);
    expect(notableQuery(q({ dest: "web02", status: "all", page: "1" }))).toBe("status=all&dest=web02");
  });

  it("says what happened (the module) beside the rule's title, and filters and sorts by it", async () => {
    const { rows } = await listNotables(q({ dest: "web01" }), null);
    expect(rows.map((r) => [r.title, r.what, r.findingKind])).toEqual([
      ["Windows IIS Components New Module Added", "Module C added to globalModules", "module_added"],
      ["Windows IIS Components New Module Added", "Module B added to globalModules", "module_added"],
      ["Windows IIS Components New Module Added", "Module A added to globalModules", "module_added"],
    ]);
    expect(await ids({ finding: "module_added" })).toHaveLength(5);
    expect(await ids({ finding: "http_logging_disabled" })).toEqual([]);
    // A later, ordinary change: newest, so first by time, but last by what happened.
    await storeAsUpload(normalized([event29Parts({ host: "web02", time: t(70), configuration: "/system.web/customErrors/@mode" }, "xml")], "xml"));
    await runScheduled(new Date(base.getTime() + 2 * HOUR));
    expect((await listNotables(q({}), null)).rows[0].findingKind).toBe("other_configuration_change");
    const bySeriousness = (await listNotables(q({ sort: "finding" }), null)).rows.map((r) => r.findingKind);
    expect(bySeriousness).toEqual([...Array(5).fill("module_added"), "other_configuration_change"]);
    expect((await listNotables(q({ finding: "other_configuration_change" }), null)).rows.map((r) => r.what)).toEqual(["Configuration change to /system.web/customErrors/@mode"]);
  });

  it("filters by owner (me, none, a username), status and disposition", async () => {
    const [first, second] = await ids();
    await updateNotables([first], { ownerId: tina.id, status: "in_progress" }, tina);
    await updateNotables([second], { status: "closed", disposition: "benign_positive" }, tina);
    expect(await ids({ owner: "me" }, tina.id!)).toEqual([first]);
    expect(await ids({ owner: "TINA" })).toEqual([first]);
    expect(await ids({ owner: "none" })).toHaveLength(3);
    expect(await ids({ status: "in_progress" })).toEqual([first]);
    // Closed is not open: the default view drops it; status=all brings it back.
    expect(await ids()).not.toContain(second);
    expect(await ids({ status: "all", disposition: "benign_positive" })).toEqual([second]);
  });
});

describe("one notable", () => {
  it("changes status, owner and disposition, each change audited with only what changed", async () => {
    const [id] = await ids();
    expect(await updateNotables([id], { status: "in_progress", ownerId: tina.id }, tina)).toEqual({ updated: 1, commented: 0 });
    expect(await updateNotables([id], { status: "resolved", disposition: "true_positive", ownerId: tina.id }, ada)).toEqual({ updated: 1, commented: 0 });
    // Nothing new: no change, no audit row.
    expect(await updateNotables([id], { status: "resolved" }, ada)).toEqual({ updated: 0, commented: 0 });
    const audit = await db().auditLog.findMany({ where: { action: "notable.update", targetId: id }, orderBy: { id: "asc" } });
    expect(audit.map((a) => ({ actor: a.actorName, before: a.before, after: a.after, targetType: a.targetType, address: a.address }))).toEqual([
      { actor: "tina", before: { status: "new", owner: null }, after: { status: "in_progress", owner: "tina" }, targetType: "notable", address: "198.51.100.1" },
      { actor: "ada", before: { status: "in_progress", disposition: null }, after: { status: "resolved", disposition: "true_positive" }, targetType: "notable", address: "198.51.100.1" },
    ]);
    const n = await getNotable(id);
    expect(n).toMatchObject({ status: "resolved", disposition: "true_positive", owner: { username: "tina" }, suppressed: false, risk: 58 });
    expect(n!.history.map((h) => h.action)).toEqual(["notable.update", "notable.update"]);
    // Unassign.
    await updateNotables([id], { ownerId: null }, ada);
    expect((await getNotable(id))!.owner).toBeNull();
  });

  it("refuses a save from a stale form (the notable changed since it was loaded), changing nothing", async () => {
    const [id] = await ids();
    const loaded = { status: "new", ownerId: null, disposition: null } as const;
    // Tina saves from the form as loaded: accepted.
    expect(await updateNotables([id], { status: "pending", ownerId: tina.id, expected: loaded }, tina)).toEqual({ updated: 1, commented: 0 });
    // Ada's form was loaded before that: her save (and its comment) is refused, and says what the notable is now.
    await expect(updateNotables([id], { status: "closed", ownerId: null, comment: "done", expected: loaded }, ada)).rejects.toThrow(
      "Not saved: this notable was changed since you loaded it (now Pending, owner tina). Reload the page to see the change, then save again.",
    );
    expect(await getNotable(id)).toMatchObject({ status: "pending", owner: { username: "tina" }, comments: [] });
    // Tina saves again from her refreshed form, with a comment: status and owner stay.
    expect(await updateNotables([id], { status: "pending", ownerId: tina.id, comment: "waiting", expected: { status: "pending", ownerId: tina.id, disposition: null } }, tina)).toEqual({
      updated: 0,
      commented: 1,
    });
    expect(await getNotable(id)).toMatchObject({ status: "pending", owner: { username: "tina" } });
    // The priority form likewise.
    await setHostPriority("web01", "high", ada, "medium");
    await expect(setHostPriority("web01", "low", ada, "medium")).rejects.toThrow("Not saved: this host's priority was changed to high since you loaded the page.");
    expect((await db().host.findUniqueOrThrow({ where: { id: "web01" } })).priority).toBe("high");
  });

  it("takes comments from anyone who may read (audited), and moves the updated time", async () => {
    const [id] = await ids();
    // Last touched an hour ago: commenting brings it to now.
    const before = new Date(Date.now() - 3_600_000);
    await db().notable.updateMany({ where: { id: BigInt(id) }, data: { updatedAt: before } });
    await commentOnNotable(id, "  looks like the vendor's agent  ", alan);
    const n = (await getNotable(id))!;
    expect(n.comments.map((c) => [c.author?.username, c.body])).toEqual([["alan", "looks like the vendor's agent"]]);
    expect(n.updatedAt.getTime()).toBeGreaterThan(before.getTime() + 3_000_000);
    expect(await db().auditLog.findFirst({ where: { action: "notable.comment", targetId: id } })).toMatchObject({ actorName: "alan", after: { body: "looks like the vendor's agent" } });
    expect((await listNotables(q(), null)).rows.find((r) => r.id === id)!.comments).toBe(1);
    await expect(commentOnNotable(id, "   ", alan)).rejects.toThrow();
  });

  it("refuses an owner who may not triage, a disabled owner, an unknown notable, and an empty change", async () => {
    const [id] = await ids();
    await expect(updateNotables([id], { ownerId: alan.id }, tina)).rejects.toThrow(/active triager or admin/);
    await db().user.update({ where: { id: ada.id! }, data: { disabled: true } });
    await expect(updateNotables([id], { ownerId: ada.id }, tina)).rejects.toThrow(/active triager or admin/);
    await expect(updateNotables(["999999"], { status: "closed" }, tina)).rejects.toThrow(/No such notable/);
    await expect(updateNotables([id], {}, tina)).rejects.toThrow(/Nothing to change/);
    await expect(updateNotables([id], { status: "bogus" as never }, tina)).rejects.toThrow();
    expect((await assignableOwners()).map((u) => u.username)).toEqual(["tina"]);
    expect(await db().auditLog.count({ where: { action: { startsWith: "notable." } } })).toBe(0);
  });
});

describe("bulk actions", () => {
  it("apply to a filtered selection (all pages), one audit row per notable changed, with a comment on each", async () => {
    const matching = await notableIdsMatching(q({ dest: "web01" }), null);
    expect(matching).toHaveLength(3);
    const result = await updateNotables(matching, { status: "closed", disposition: "false_positive_logic", comment: "change window CHG-42" }, tina, { bulk: true });
    expect(result).toEqual({ updated: 3, commented: 3 });
    expect(await ids({ dest: "web01" })).toEqual([]);
    expect(await ids({ dest: "web01", status: "closed" })).toHaveLength(3);
    expect(await ids()).toHaveLength(2);
    const audit = await db().auditLog.findMany({ where: { action: "notable.update" } });
    expect(audit).toHaveLength(3);
    expect(audit[0].after).toMatchObject({ status: "closed", disposition: "false_positive_logic", bulk: true });
    expect(await db().notableComment.count()).toBe(3);
  });

  it("refuses more than the cap, and is all-or-nothing", async () => {
    expect(MAX_BULK).toBeGreaterThan(100);
    const fake = Array.from({ length: MAX_BULK + 1 }, (_, i) => String(i + 1));
    await expect(updateNotables(fake, { status: "closed" }, tina)).rejects.toThrow(/At most/);
    const [id] = await ids();
    await expect(updateNotables([id, "999999"], { status: "closed" }, tina)).rejects.toThrow(/no longer exist/);
    expect(await ids()).toHaveLength(5);
  });
});

describe("urgency from severity x asset priority", () => {
  it("recomputes the urgency of the host's open notables when an admin changes its priority (audited)", async () => {
    const [closed] = await ids({ dest: "web01" });
    await updateNotables([closed], { status: "closed" }, tina);
    expect(await setHostPriority("WEB01", "critical", ada)).toEqual({ priority: "critical", notablesUpdated: 2 });
    const web01 = await listNotables(q({ dest: "web01", status: "all" }), null);
    expect(web01.rows.filter((r) => r.status !== "closed").map((r) => r.urgency)).toEqual(["high", "high"]);
    // The closed one keeps the urgency it was worked with; other hosts are untouched.
    expect(web01.rows.find((r) => r.id === closed)!.urgency).toBe("medium");
    expect((await listNotables(q({ dest: "web02" }), null)).rows.map((r) => r.urgency)).toEqual(["medium", "medium"]);
    expect((await db().host.findUniqueOrThrow({ where: { id: "web01" } })).priority).toBe("critical");

    await setHostPriority("web01", "low", ada);
    expect((await listNotables(q({ dest: "web01" }), null)).rows.map((r) => r.urgency)).toEqual(["low", "low"]);
    const audit = await db().auditLog.findMany({ where: { action: "host.priority" }, orderBy: { id: "asc" } });
    expect(audit).toHaveLength(2);
    expect(audit[0]).toMatchObject({ actorName: "ada", targetType: "host", targetId: "web01", before: { priority: "medium" }, after: { priority: "critical" } });
    expect((audit[0].after as { urgencyChanged: unknown[] }).urgencyChanged).toHaveLength(2);
    // New notables of the host take its priority at creation (the engine's rule).
    await storeAsUpload(normalized([event29Parts({ host: "web01", time: t(70), configuration: addModule("F") }, "xml")], "xml"));
    await runScheduled(new Date(base.getTime() + 2 * HOUR));
    expect((await listNotables(q({ dest: "web01" }), null)).rows.map((r) => r.urgency)).toEqual(["low", "low", "low"]);

    await expect(setHostPriority("web01", "urgent", ada)).rejects.toThrow(/Priority must be one of/);
    await expect(setHostPriority("nohost", "high", ada)).rejects.toThrow(/No such host/);
  });
});

describe("one notable's page", () => {
  it("says when a suppression hides the notable's result, and stops saying so when it is disabled", async () => {
    const [row] = (await listNotables(q({ dest: "web02" }), null)).rows;
    expect(await getNotable(row.id)).toMatchObject({ suppressed: false, risk: 58 });
    const suppression = await createSuppression({ detectionId: row.detectionId, match: { dest: "web02" }, reason: "lab host", expiresAt: null }, ada);
    expect(await getNotable(row.id)).toMatchObject({ suppressed: true, risk: 58 });
    await setSuppressionEnabled(suppression.id, false, ada);
    expect(await getNotable(row.id)).toMatchObject({ suppressed: false });
  });
});
