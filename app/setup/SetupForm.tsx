"use client";
import { useActionState } from "react";
import { FormOutcome, NewPasswordFields, StackedField } from "@/components/forms/fields";
import { setupAction } from "./actions";

export function SetupForm() {
  const [state, action, pending] = useActionState(setupAction, {});
  return (
    <form action={action} className="auth-form" aria-label="Create the first admin">
      <StackedField label="Admin username" name="username" autoComplete="username" required autoFocus defaultValue={state.username ?? "admin"} maxLength={64} errors={state.fieldErrors?.username} />
      <NewPasswordFields label="Password" fieldErrors={state.fieldErrors} />
      <FormOutcome error={state.error} />
      <button type="submit" className="primary" disabled={pending}>
        {pending ? "Creating…" : "Create admin and sign in"}
      </button>
    </form>
  );
}
