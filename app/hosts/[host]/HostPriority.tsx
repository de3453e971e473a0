"use client";
// The host's asset priority: shown to everyone, set by admins (urgency of its open notables follows).
import { useActionState } from "react";
import { FormOutcome } from "@/components/forms/fields";
import { PRIORITIES } from "@/lib/detections/severity";
import { setHostPriorityAction } from "./actions";

export function HostPriority({ host, priority, canEdit }: { host: string; priority: string; canEdit: boolean }) {
  const [state, action, pending] = useActionState(setHostPriorityAction, {});
  if (!canEdit) return <>{priority}</>;
  return (
    <form action={action} style={{ display: "inline-flex", gap: 8, alignItems: "center" }} aria-label="Asset priority">
      <input type="hidden" name="host" value={host} />
      {/* What this form shows: a save is refused if another admin changed it since (never silently undone). */}
      <input type="hidden" name="expected" value={priority} />
      {/* Keyed by the saved priority: after a save the select shows it (React resets a form to its first defaults). */}
      <select key={priority} name="priority" defaultValue={priority} aria-label="Asset priority">
        {PRIORITIES.map((p) => (
          <option key={p} value={p}>
            {p}
          </option>
        ))}
      </select>
      <button type="submit" disabled={pending}>
        Set priority
      </button>
      <FormOutcome inline ok={state.ok} error={state.error} />
    </form>
  );
}
