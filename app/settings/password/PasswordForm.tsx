"use client";
import { useActionState } from "react";
import { FormOutcome, NewPasswordFields, StackedField } from "@/components/forms/fields";
import { changePasswordAction, type PasswordState } from "./actions";

export function PasswordForm() {
  const [state, action, pending] = useActionState<PasswordState, FormData>(changePasswordAction, {});
  return (
    <form action={action} className="auth-form" aria-label="Change password">
      <StackedField label="Current password" name="current" type="password" autoComplete="current-password" required maxLength={256} />
      <NewPasswordFields label="New password" />
      <FormOutcome error={state.error} ok={state.ok} />
      <button type="submit" className="primary" disabled={pending}>
        Change password
      </button>
    </form>
  );
}
