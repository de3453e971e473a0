"use server";
// The notables workflow, checked on the server: status, owner and disposition (triagers, admins), on one notable
// or a selection; comments (everyone who may read). lib/triage audits every change in its transaction.
import { revalidatePath } from "next/cache";
import { AuthorizationError, authorizeAction } from "@/lib/auth/server";
import { MAX_BULK, notableIdsMatching, notableListParams, TriageError, updateNotables, type NotableChange } from "@/lib/triage";

export interface NotableFormState {
  error?: string;
  ok?: string;
}

function fail(e: unknown): NotableFormState {
  if (e instanceof AuthorizationError || e instanceof TriageError) return { error: e.message };
  throw e;
}

/**
 * The change the form asks for. Selects send "" for "leave as it is"; the owner select sends "none" to unassign,
 * the disposition select "none" to clear it.
 */
function readChange(form: FormData): NotableChange {
  const text = (k: string) => {
    const v = form.get(k);
    return typeof v === "string" ? v.trim() : "";
  };
  const change: Record<string, unknown> = {};
  if (text("status")) change.status = text("status");
  if (text("owner")) change.ownerId = text("owner") === "none" ? null : text("owner");
  if (text("disposition")) change.disposition = text("disposition") === "none" ? null : text("disposition");
  if (text("comment")) change.comment = text("comment");
  // One notable's form says what it showed when it was loaded (bulk forms do not: they change what is there).
  if (form.has("expected_status")) {
    change.expected = {
      status: text("expected_status"),
      ownerId: text("expected_owner") || null,
      disposition: text("expected_disposition") || null,
    };
  }
  return change as NotableChange;
}

function done(result: { updated: number; commented: number }, of: number): string {
  const parts = [`${result.updated} of ${of} notable${of === 1 ? "" : "s"} changed`];
  if (result.commented) parts.push(`${result.commented} comment${result.commented === 1 ? "" : "s"} added`);
  return `${parts.join(", ")}.`;
}

/** Status, owner, disposition (and an optional comment) of one notable. */
export async function updateNotableAction(_prev: NotableFormState, form: FormData): Promise<NotableFormState> {
  try {
    const actor = await authorizeAction("notable:triage");
    const result = await updateNotables([String(form.get("id") ?? "")], readChange(form), actor);
    revalidatePath("/", "layout");
    return { ok: done(result, 1) };
  } catch (e) {
    return fail(e);
  }
}

/** A comment on one notable: anyone who may read may comment. */
export async function commentNotableAction(_prev: NotableFormState, form: FormData): Promise<NotableFormState> {
  try {
    const actor = await authorizeAction("notable:comment");
    const body = String(form.get("comment") ?? "").trim();
    if (!body) return { error: "Write a comment first." };
    await updateNotables([String(form.get("id") ?? "")], { comment: body }, actor);
    revalidatePath("/notables");
    return { ok: "Comment added." };
  } catch (e) {
    return fail(e);
  }
}

/**
 * The same change to many notables: the ticked rows (`ids`, comma-separated), or every notable the queue's filter
 * matches (`scope=filter`, `filter` = the view's query string), on all its pages.
 */
export async function bulkUpdateNotablesAction(_prev: NotableFormState, form: FormData): Promise<NotableFormState> {
  try {
    const actor = await authorizeAction("notable:triage");
    let ids: string[];
    if (form.get("scope") === "filter") {
      const filter = notableListParams.parse(Object.fromEntries(new URLSearchParams(String(form.get("filter") ?? ""))));
      ids = await notableIdsMatching(filter, actor.id);
      if (ids.length > MAX_BULK) return { error: `The filter matches more than ${MAX_BULK} notables: narrow it first.` };
    } else {
      ids = String(form.get("ids") ?? "")
        .split(",")
        .map((s) => s.trim())
        .filter(Boolean);
    }
    if (ids.length === 0) return { error: "No notables selected." };
    const result = await updateNotables(ids, readChange(form), actor, { bulk: true });
    revalidatePath("/", "layout");
    return { ok: done(result, ids.length) };
  } catch (e) {
    return fail(e);
  }
}
