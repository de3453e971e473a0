"use client";
// Admins: delete an upload, after ticking a confirmation that says what goes with it.
import { useActionState, useId } from "react";
import { SafeText } from "@/components/SafeText";
import { deleteUploadAction } from "./actions";

export function DeleteUploadForm({ id, filename, stored }: { id: string; filename: string; stored: number }) {
  const [state, action, pending] = useActionState(deleteUploadAction, {});
  // The checkbox is the form's only field: its error is the alert right under it.
  const errorId = useId();
  return (
    <form action={action} className="danger-zone" aria-label="Delete this upload">
      <h2>Delete this upload</h2>
      <p>
        Removes the {stored.toLocaleString("en")} events <SafeText text={filename} /> stored, except those another upload also holds, and the detection
        results, risk events and notables derived only from them. Recorded in the audit log.
      </p>
      <input type="hidden" name="id" value={id} />
      <label>
        <input type="checkbox" name="confirm" required aria-invalid={state.fieldErrors?.confirm ? true : undefined} aria-describedby={state.error ? errorId : undefined} /> I understand this cannot be undone
      </label>{" "}
      <button type="submit" className="danger" disabled={pending}>
        {pending ? "Deleting…" : "Delete upload"}
      </button>
      {state.error && (
        <p id={errorId} className="error" role="alert">
          {state.error}
        </p>
      )}
    </form>
  );
}
