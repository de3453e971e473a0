"use client";
import { useActionState } from "react";
import { loadDemoAction, type DemoState } from "@/app/demo-actions";
import { FormOutcome } from "@/components/forms/fields";

export function DemoDataButton() {
  const [state, action, pending] = useActionState<DemoState>(loadDemoAction, {});
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
