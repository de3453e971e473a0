// The UI's ordered lists of the schema's enums are the enums: a notable status or role added to
// prisma/schema.prisma must show up in the filters and forms, not be silently missing from them. The expected
// type errors below are the build-time half: `tsc` fails if enumOrder stops refusing an incomplete list.
import { describe, expect, it } from "vitest";
import { ROLES } from "../auth/permissions";
import { ACTIVE_UPLOAD_STATUSES } from "../ingest/uploads";
import { NOTABLE_STATUSES } from "../triage/fields";
import { enumOrder, NotableStatus, Role, UploadStatus } from "./enums";

describe("enumOrder", () => {
  it("is the list in the order given", () => {
    expect(enumOrder(Role)(["admin", "analyst", "triager"])).toEqual(["admin", "analyst", "triager"]);
  });

  it("does not compile with a member missing or one the enum lacks", () => {
    // @ts-expect-error "closed" is missing
    enumOrder(NotableStatus)(["new", "in_progress", "pending", "resolved"]);
    // @ts-expect-error "open" is not a NotableStatus
    enumOrder(NotableStatus)(["new", "in_progress", "pending", "resolved", "closed", "open"]);
  });
});

describe("the UI's lists of the schema's enums", () => {
  it("hold every member of the generated enum, each once", () => {
    for (const [list, members] of [
      [NOTABLE_STATUSES, NotableStatus],
      [ROLES, Role],
    ] as const) {
      expect([...list].sort()).toEqual(Object.values(members).sort());
    }
  });

  it("name upload statuses the schema has", () => {
    expect(Object.values(UploadStatus)).toEqual(expect.arrayContaining([...ACTIVE_UPLOAD_STATUSES]));
  });
});
