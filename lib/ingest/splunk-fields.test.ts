// The Splunk field registry is the one place a field is added: this checks the part TypeScript cannot, that each
// field's column exists in the events table (prisma/schema.prisma, which the migrations follow), so a field added
// without its column fails here rather than at the first upload.
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { FIELD_COLUMNS, SEARCHABLE_FIELDS } from "../detections/fields";
import { SPLUNK_FIELD_NAMES, SPLUNK_FIELDS, splunkFields } from "./splunk-fields";

const schema = readFileSync(path.resolve(import.meta.dirname, "../../prisma/schema.prisma"), "utf8");
/** The events table's text columns: a field's @map name, or its own name when unmapped. */
const eventTextColumns = new Set(
  [...(/^model Event \{([\s\S]*?)^\}/m.exec(schema)?.[1] ?? "").matchAll(/^\s+(\w+)\s+String\??(?:[^\n]*@map\("(\w+)"\))?/gm)].map((m) => m[2] ?? m[1]),
);

describe("the Splunk field registry", () => {
  it("stores each field in a text column of the events table", () => {
    expect(eventTextColumns.size).toBeGreaterThan(10);
    expect(SPLUNK_FIELD_NAMES.filter((f) => !eventTextColumns.has(SPLUNK_FIELDS[f].column))).toEqual([]);
  });

  it("gives every event each field, and detections may search each one in its column", () => {
    const fields = splunkFields({ channel: "Application", provider: "IIS-W3SVC-WP", computer: "web01", opcodeName: null, message: null, data: { ModuleDll: "c:\\x.dll" }, format: "xml" });
    expect(Object.keys(fields)).toEqual(SPLUNK_FIELD_NAMES);
    expect(fields).toMatchObject({ source: "XmlWinEventLog:Application", ModuleDll: "c:\\x.dll", dest: "web01", OpCode: null });
    expect(SEARCHABLE_FIELDS).toEqual(expect.arrayContaining(SPLUNK_FIELD_NAMES));
    expect(SPLUNK_FIELD_NAMES.map((f) => FIELD_COLUMNS[f])).toEqual(SPLUNK_FIELD_NAMES.map((f) => `e.${SPLUNK_FIELDS[f].column}`));
  });
});
