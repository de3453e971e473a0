"use client";
import { useActionState } from "react";
import { PASSWORD_MIN_LENGTH } from "@/lib/auth/password-rules";
import { changePasswordAction, type PasswordState } from "./actions";

export function PasswordForm() {
  const [state, action, pending] = useActionState<PasswordState, FormData>(changePasswordAction, {});
  return (
    <form action={action} className="auth-form" aria-label="Change password">
      <p>
        <label>
          Current password
          <br />
          <input name="current" type="password" autoComplete="current-password" required maxLength={256} />
        </label>
      </p>
      <p>
        <label>
          New password (at least {PASSWORD_MIN_LENGTH} characters)
          <br />
          <input name="password" type="password" autoComplete="new-password" required minLength={PASSWORD_MIN_LENGTH} maxLength={256} />
        </label>
      </p>
      <p>
        <label>
          New password again
          <br />
          <input name="confirm" type="password" autoComplete="new-password" required minLength={PASSWORD_MIN_LENGTH} maxLength={256} />
        </label>
      </p>
      {state.error && (
        <p className="error" role="alert">
          {state.error}
        </p>
      )}
      {state.ok && <p role="status">{state.ok}</p>}
      <button type="submit" className="primary" disabled={pending}>
        Change password
      </button>
    </form>
  );
}
