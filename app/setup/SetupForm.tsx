"use client";
import { useActionState } from "react";
import { PASSWORD_MIN_LENGTH } from "@/lib/auth/password-rules";
import { setupAction, type SetupState } from "./actions";

export function SetupForm() {
  const [state, action, pending] = useActionState<SetupState, FormData>(setupAction, {});
  return (
    <form action={action} className="auth-form" aria-label="Create the first admin">
      <p>
        <label>
          Admin username
          <br />
          <input name="username" autoComplete="username" required autoFocus defaultValue={state.username ?? "admin"} maxLength={64} />
        </label>
      </p>
      <p>
        <label>
          Password (at least {PASSWORD_MIN_LENGTH} characters)
          <br />
          <input name="password" type="password" autoComplete="new-password" required minLength={PASSWORD_MIN_LENGTH} maxLength={256} />
        </label>
      </p>
      <p>
        <label>
          Password again
          <br />
          <input name="confirm" type="password" autoComplete="new-password" required minLength={PASSWORD_MIN_LENGTH} maxLength={256} />
        </label>
      </p>
      {state.error && (
        <p className="error" role="alert">
          {state.error}
        </p>
      )}
      <button type="submit" className="primary" disabled={pending}>
        {pending ? "Creating…" : "Create admin and sign in"}
      </button>
    </form>
  );
}
