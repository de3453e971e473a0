"use client";
// What the two kinds of token (API tokens, HEC tokens) share on their pages: the new token shown once with a copy
// button and how to use it, and a row's Revoke button.
import { useActionState, type ReactNode } from "react";
import { CopyButton } from "@/components/CopyButton";
import { FormOutcome } from "@/components/forms/fields";
import type { ActionState } from "@/lib/actions/state";

/** A token just created: shown once, with how to send it. */
export function NewTokenNotice({ ok, token, testId, usage }: { ok?: string; token: string; testId: string; usage: ReactNode }) {
  return (
    <div role="status">
      <p>{ok}</p>
      <pre className="raw" data-testid={testId}>
        {token}
      </pre>
      <CopyButton value={token} label="Copy the token" />
      <p className="muted">{usage}</p>
    </div>
  );
}

/** A token's Revoke button, posting its id to `revoke`. */
export function RevokeForm({ id, name, revoke }: { id: string; name: string; revoke: (state: ActionState, form: FormData) => Promise<ActionState> }) {
  const [state, action, pending] = useActionState(revoke, {});
  return (
    <form action={action}>
      <input type="hidden" name="id" value={id} />
      <button type="submit" disabled={pending} aria-label={`Revoke ${name}`}>
        Revoke
      </button>{" "}
      <FormOutcome inline error={state.error} />
    </form>
  );
}
