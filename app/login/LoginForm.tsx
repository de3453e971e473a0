"use client";
import { useActionState } from "react";
import { loginAction, type LoginState } from "./actions";

export function LoginForm({ next }: { next: string }) {
  const [state, action, pending] = useActionState<LoginState, FormData>(loginAction, {});
  return (
    <form action={action} className="auth-form" aria-label="Sign in">
      <input type="hidden" name="next" value={next} />
      <p>
        <label>
          Username
          <br />
          <input name="username" autoComplete="username" required autoFocus defaultValue={state.username ?? ""} maxLength={100} />
        </label>
      </p>
      <p>
        <label>
          Password
          <br />
          <input name="password" type="password" autoComplete="current-password" required maxLength={256} />
        </label>
      </p>
      {state.error && (
        <p className="error" role="alert">
          {state.error}
        </p>
      )}
      <button type="submit" className="primary" disabled={pending}>
        {pending ? "Signing in…" : "Sign in"}
      </button>
    </form>
  );
}
