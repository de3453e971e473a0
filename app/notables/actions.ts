"use server";
// The notables workflow, checked on the server by defineAction: status, owner and disposition (triagers, admins),
// on one notable or a selection; comments (everyone who may read). lib/triage checks the values and audits every
// change in its transaction.
import { revalidatePath } from "next/cache";
import { z } from "zod";
import { defineAction } from "@/lib/actions/define-action";
import { UserFacingError } from "@/lib/errors/user-facing-error";
import { MAX_BULK, notableIdsMatching, notableListParams, updateNotables, type NotableChange } from "@/lib/triage";

const trimmed = z
  .string()
  .optional()
  .transform((v) => v?.trim() ?? "");

/**
 * The change the form asks for. Selects send "" for "leave as it is"; the owner select sends "none" to unassign,
 * the disposition select "none" to clear it. One notable's form also says what it showed when it was loaded
 * (`expected_*`: a save from a stale form is refused); bulk forms do not, they change what is there.
 */
const changeFields = z.object({
  status: trimmed,
  owner: trimmed,
  disposition: trimmed,
  comment: trimmed,
  expected_status: z.string().optional(),
  expected_owner: trimmed,
  expected_disposition: trimmed,
});

function changeOf(input: z.output<typeof changeFields>): NotableChange {
  const change: Record<string, unknown> = {};
  if (input.status) change.status = input.status;
  if (input.owner) change.ownerId = input.owner === "none" ? null : input.owner;
  if (input.disposition) change.disposition = input.disposition === "none" ? null : input.disposition;
  if (input.comment) change.comment = input.comment;
  if (input.expected_status !== undefined) {
    change.expected = { status: input.expected_status.trim(), ownerId: input.expected_owner || null, disposition: input.expected_disposition || null };
  }
  return change as NotableChange;
}

function done(result: { updated: number; commented: number }, of: number): string {
  const parts = [`${result.updated} of ${of} notable${of === 1 ? "" : "s"} changed`];
  if (result.commented) parts.push(`${result.commented} comment${result.commented === 1 ? "" : "s"} added`);
  return `${parts.join(", ")}.`;
}

/** Status, owner, disposition (and an optional comment) of one notable. */
export const updateNotableAction = defineAction({
  permission: "notable:triage",
  input: changeFields.extend({ id: z.string().default("") }),
  audit: "lib",
  run: async (input, { actor }) => {
    const result = await updateNotables([input.id], changeOf(input), actor);
    revalidatePath("/", "layout");
    return { ok: done(result, 1) };
  },
});

/** A comment on one notable: anyone who may read may comment. */
export const commentNotableAction = defineAction({
  permission: "notable:comment",
  input: z.object({
    id: z.string().default(""),
    comment: z.string({ error: "Write a comment first." }).trim().min(1, "Write a comment first."),
  }),
  audit: "lib",
  run: async ({ id, comment }, { actor }) => {
    await updateNotables([id], { comment }, actor);
    revalidatePath("/notables");
    return { ok: "Comment added." };
  },
});

/**
 * The same change to many notables: the ticked rows (`ids`, comma-separated), or every notable the queue's filter
 * matches (`scope=filter`, `filter` = the view's query string), on all its pages.
 */
export const bulkUpdateNotablesAction = defineAction({
  permission: "notable:triage",
  input: changeFields.extend({ scope: z.string().optional(), filter: z.string().default(""), ids: z.string().default("") }),
  audit: "lib",
  run: async (input, { actor }) => {
    let ids: string[];
    if (input.scope === "filter") {
      const filter = notableListParams.parse(Object.fromEntries(new URLSearchParams(input.filter)));
      ids = await notableIdsMatching(filter, actor.id);
      if (ids.length > MAX_BULK) throw new UserFacingError(`The filter matches more than ${MAX_BULK} notables: narrow it first.`);
    } else {
      ids = input.ids
        .split(",")
        .map((s) => s.trim())
        .filter(Boolean);
    }
    if (ids.length === 0) throw new UserFacingError("No notables selected.");
    const result = await updateNotables(ids, changeOf(input), actor, { bulk: true });
    revalidatePath("/", "layout");
    return { ok: done(result, ids.length) };
  },
});
