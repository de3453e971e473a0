"use client";
import { useActionState } from "react";
import { FormOutcome } from "@/components/forms/fields";
import type { ActionState } from "@/lib/actions/state";

/** The empty dashboard's button; the server action (app/demo-actions.ts) comes from the page: components do not import app/. */
export function DemoDataButton({ load }: { load: (state: ActionState) => Promise<ActionState> }) {
  const [state, action, pending] = useActionState<ActionState>(load, {});
  return (
    <form action={action}>
      <button type="submit" className="primary" disabled={pending}>
        {pending ? "Loading demo data… (a few seconds)" : "Load demo data"}
      </button>{" "}
      <span className="muted">40 IIS servers over 30 days: routine changes, a few malicious module installs, DLLs failing to load, hosts without the IIS configuration log.</span>
      <FormOutcome ok={state.ok} error={state.error} />
    </form>
  );
}
