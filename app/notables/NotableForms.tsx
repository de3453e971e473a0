"use client";
import { useActionState } from "react";
import { FormOutcome, useFieldErrors } from "@/components/forms/fields";
import { DISPOSITION_LABELS, DISPOSITIONS, NOTABLE_STATUSES, STATUS_LABELS } from "@/lib/triage/fields";
import { commentNotableAction, updateNotableAction } from "./actions";
import { choices, LabelledSelect } from "@/components/forms/labelled";

interface Current {
  status?: string;
  ownerId?: string | null;
  disposition?: string | null;
}

/**
 * Status, owner, disposition and comment inputs. Without `current` (bulk), every select starts at "leave as it
 * is"; with it (one notable), at the notable's values.
 */
export function ChangeFields({ owners, current }: { owners: { id: string; username: string }[]; current?: Current }) {
  const keep = current ? null : <option value="">(leave as it is)</option>;
  return (
    <>
      <LabelledSelect label="Status" name="status" defaultValue={current?.status ?? ""} options={choices(NOTABLE_STATUSES, (s) => STATUS_LABELS[s])}>
        {keep}
      </LabelledSelect>
      <LabelledSelect label="Owner" name="owner" defaultValue={current ? (current.ownerId ?? "none") : ""} options={owners.map((o) => ({ value: o.id, label: o.username }))}>
        {keep}
        <option value="none">unassigned</option>
      </LabelledSelect>
      <LabelledSelect label="Disposition" name="disposition" defaultValue={current ? (current.disposition ?? "none") : ""} options={choices(DISPOSITIONS, (d) => DISPOSITION_LABELS[d])}>
        {keep}
        <option value="none">—</option>
      </LabelledSelect>
      <label style={{ flex: "1 1 260px" }}>
        Comment (optional)
        <textarea name="comment" rows={1} maxLength={10000} style={{ width: "100%" }} />
      </label>
    </>
  );
}

export function NotableUpdateForm({ id, owners, current }: { id: string; owners: { id: string; username: string }[]; current: Required<Current> }) {
  const [state, action, pending] = useActionState(updateNotableAction, {});
  return (
    <form action={action} className="panel filters" aria-label="Update notable">
      <input type="hidden" name="id" value={id} />
      {/* What the form shows: the server refuses the save if the notable changed since (never silently undone). */}
      <input type="hidden" name="expected_status" value={current.status} />
      <input type="hidden" name="expected_owner" value={current.ownerId ?? ""} />
      <input type="hidden" name="expected_disposition" value={current.disposition ?? ""} />
      {/* Keyed by the saved values: after a save the fields show them (React resets a form to its first defaults). */}
      <ChangeFields key={`${current.status}|${current.ownerId}|${current.disposition}`} owners={owners} current={current} />
      <button type="submit" className="primary" disabled={pending}>
        Save
      </button>
      <FormOutcome inline ok={state.ok} error={state.error} />
    </form>
  );
}

export function CommentForm({ id }: { id: string }) {
  const [state, action, pending] = useActionState(commentNotableAction, {});
  const comment = useFieldErrors(state.fieldErrors)("comment");
  return (
    <form action={action} className="filters" aria-label="Add a comment">
      <input type="hidden" name="id" value={id} />
      <label style={{ flex: "1 1 400px" }}>
        Comment
        <textarea name="comment" required rows={2} maxLength={10000} style={{ width: "100%" }} {...comment.input} />
      </label>
      {comment.message}
      <button type="submit" disabled={pending}>
        Add comment
      </button>
      <FormOutcome inline ok={state.ok} error={state.error} />
    </form>
  );
}
