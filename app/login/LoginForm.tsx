"use client";
import { useActionState } from "react";
import { FormOutcome, StackedField } from "@/components/forms/fields";
import { loginAction } from "./actions";

export function LoginForm({ next }: { next: string }) {
  const [state, action, pending] = useActionState(loginAction, {});
  return (
    <form action={action} className="auth-form" aria-label="Sign in">
      <input type="hidden" name="next" value={next} />
      <StackedField label="Username" name="username" autoComplete="username" required autoFocus defaultValue={state.username ?? ""} maxLength={100} />
      <StackedField label="Password" name="password" type="password" autoComplete="current-password" required maxLength={256} />
      <FormOutcome error={state.error} />
      <button type="submit" className="primary" disabled={pending}>
        {pending ? "Signing in…" : "Sign in"}
      </button>
    </form>
  );
}
