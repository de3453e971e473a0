"use client";
// Admins: delete an upload, after ticking a confirmation that says what goes with it.
import { useActionState } from "react";
import { SafeText } from "@/components/SafeText";
import { deleteUploadAction, type DeleteUploadState } from "./actions";

export function DeleteUploadForm({ id, filename, stored }: { id: string; filename: string; stored: number }) {
  const [state, action, pending] = useActionState<DeleteUploadState, FormData>(deleteUploadAction, {});
  return (
    <form action={action} className="danger-zone" aria-label="Delete this upload">
      <h2>Delete this upload</h2>
      <p>
        Removes the {stored.toLocaleString("en")} events <SafeText text={filename} /> stored, except those another upload also holds, and the detection
        results, risk events and notables derived only from them. Recorded in the audit log.
      </p>
      <input type="hidden" name="id" value={id} />
      <label>
        <input type="checkbox" name="confirm" required /> I understand this cannot be undone
      </label>{" "}
      <button type="submit" className="danger" disabled={pending}>
        {pending ? "Deleting…" : "Delete upload"}
      </button>
      {state.error && (
        <p className="error" role="alert">
          {state.error}
        </p>
      )}
    </form>
  );
}
