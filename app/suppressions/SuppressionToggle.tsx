"use client";
import { useActionState } from "react";
import { FormOutcome } from "@/components/forms/fields";
import { setSuppressionEnabledAction } from "./actions";

/** Disable (everything it hid comes back) or re-enable a suppression. */
export function SuppressionToggle({ id, enabled }: { id: string; enabled: boolean }) {
  const [state, action, pending] = useActionState(setSuppressionEnabledAction, {});
  return (
    <form action={action} style={{ display: "inline" }}>
      <input type="hidden" name="id" value={id} />
      <input type="hidden" name="enabled" value={enabled ? "false" : "true"} />
      <button type="submit" disabled={pending}>
        {enabled ? "Disable" : "Enable"}
      </button>{" "}
      <FormOutcome inline ok={state.ok} error={state.error} />
    </form>
  );
}
