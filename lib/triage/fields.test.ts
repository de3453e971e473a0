import { describe, expect, it } from "vitest";
import { specById } from "../detections/specs";
import { groupFieldNames, notableChangeSchema, notableListParams, notableQuery, prefillMatch, readSuppressionForm, suppressionState } from "./fields";

const NEW_MODULE = specById("55f22929-cfd3-4388-ba5c-4d01fac7ee7e")!;
const FAILED_TO_LOAD = specById("40c2ba5b-dd6a-496b-9e6e-c9524d0be167")!;

describe("suppression fields", () => {
  it("are the search's by-fields, renamed, without count/firstTime/lastTime", () => {
    expect(groupFieldNames(NEW_MODULE)).toEqual(["OpCode", "EventCode", "dest", "Message"]);
    expect(groupFieldNames(FAILED_TO_LOAD)).toEqual(["EventCode", "dest", "Name", "ModuleDll"]);
  });

  it("pre-fill from a result row, as Splunk shows the values", () => {
    const row = { EventCode: "2282", dest: "web01", Name: "Microsoft-Windows-IIS-W3SVC-WP", ModuleDll: "c:\\temp\\msf.dll", count: 3, firstTime: "2026-01-01T00:00:00", lastTime: "x" };
    expect(prefillMatch(FAILED_TO_LOAD, row)).toEqual({ EventCode: "2282", dest: "web01", Name: "Microsoft-Windows-IIS-W3SVC-WP", ModuleDll: "c:\\temp\\msf.dll" });
    expect(prefillMatch(NEW_MODULE, { OpCode: "Info", EventCode: 29, dest: "web01", Message: "", count: 1 })).toEqual({ OpCode: "Info", EventCode: "29", dest: "web01" });
  });

  it("are read from a form: ticked fields with their values; an expiry without a zone is UTC", () => {
    const form = new FormData();
    form.set("detectionId", FAILED_TO_LOAD.id);
    form.set("field.ModuleDll", "on");
    form.set("value.ModuleDll", "  c:\\temp\\*.dll ");
    form.set("value.dest", "web01"); // not ticked: dropped (fleet-wide)
    form.set("reason", "lab");
    form.set("expiresAt", "2027-01-02T03:04");
    expect(readSuppressionForm(form)).toEqual({
      detectionId: FAILED_TO_LOAD.id,
      match: { ModuleDll: "c:\\temp\\*.dll" },
      reason: "lab",
      expiresAt: new Date("2027-01-02T03:04:00Z"),
      error: undefined,
    });
    form.set("expiresAt", "someday");
    expect(readSuppressionForm(form).error).toBe("The expiry is not a date.");
  });

  it("have a state: disabled, expired (by the clock), active", () => {
    const now = new Date("2026-06-01T00:00:00Z");
    expect(suppressionState({ enabled: false, expiresAt: null }, now)).toBe("disabled");
    expect(suppressionState({ enabled: true, expiresAt: new Date("2026-05-31T23:59:59Z") }, now)).toBe("expired");
    expect(suppressionState({ enabled: true, expiresAt: new Date("2026-06-02T00:00:00Z") }, now)).toBe("active");
    expect(suppressionState({ enabled: true, expiresAt: null }, now)).toBe("active");
  });
});

describe("notable queue parameters", () => {
  it("default to the open queue, newest first, and survive garbage", () => {
    expect(notableListParams.parse({})).toMatchObject({ status: "open", suppressed: "hide", sort: "time", dir: "desc", page: 1, size: 50 });
    expect(notableListParams.parse({ status: "bogus", sort: "x", page: "-3", size: "99999", urgency: "meh" })).toMatchObject({ status: "open", sort: "time", page: 1, size: 50, urgency: undefined });
  });

  it("round-trip through the query string, defaults left out", () => {
    const p = notableListParams.parse({ status: "closed", owner: "me", dest: "web01", sort: "urgency", page: "2" });
    const q = notableQuery(p);
    expect(q).toBe("status=closed&owner=me&dest=web01&sort=urgency&page=2");
    expect(notableListParams.parse(Object.fromEntries(new URLSearchParams(q)))).toEqual(p);
    expect(notableQuery(p, { page: undefined, sort: undefined })).toBe("status=closed&owner=me&dest=web01");
  });

  it("validate changes: known status and disposition, a uuid owner or null", () => {
    expect(notableChangeSchema.safeParse({ status: "in_progress", ownerId: null, disposition: "benign_positive" }).success).toBe(true);
    expect(notableChangeSchema.safeParse({ status: "done" }).success).toBe(false);
    expect(notableChangeSchema.safeParse({ ownerId: "bob" }).success).toBe(false);
    expect(notableChangeSchema.safeParse({ urgency: "high" }).success).toBe(false);
  });
});
