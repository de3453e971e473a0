"use client";
import { useActionState } from "react";
import { FormOutcome, NewPasswordFields, StackedField } from "@/components/forms/fields";
import { changePasswordAction } from "./actions";

export function PasswordForm() {
  const [state, action, pending] = useActionState(changePasswordAction, {});
  return (
    <form action={action} className="auth-form" aria-label="Change password">
      <StackedField label="Current password" name="current" type="password" autoComplete="current-password" required maxLength={256} errors={state.fieldErrors?.current} />
      <NewPasswordFields label="New password" fieldErrors={state.fieldErrors} />
      <FormOutcome error={state.error} ok={state.ok} />
      <button type="submit" className="primary" disabled={pending}>
        Change password
      </button>
    </form>
  );
}
