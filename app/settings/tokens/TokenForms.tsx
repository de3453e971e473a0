"use client";
import { useActionState } from "react";
import { CopyButton } from "@/components/CopyButton";
import { FormOutcome, useFieldErrors } from "@/components/forms/fields";
import { createTokenAction, revokeTokenAction } from "./actions";

export function CreateTokenForm() {
  const [state, action, pending] = useActionState(createTokenAction, {});
  const field = useFieldErrors(state.fieldErrors);
  const [name, days] = [field("name"), field("days")];
  return (
    <>
      <form action={action} className="filters" aria-label="Create an API token">
        <label>
          Name
          <input name="name" required maxLength={100} placeholder="e.g. nightly export from web01" {...name.input} />
        </label>
        {name.message}
        <label>
          Expires after (days, empty = never)
          <input name="days" inputMode="numeric" pattern="[0-9]*" size={6} {...days.input} />
        </label>
        {days.message}
        <button type="submit" className="primary" disabled={pending}>
          Create token
        </button>
      </form>
      <FormOutcome error={state.error} />
      {state.token && (
        <div role="status">
          <p>{state.ok}</p>
          <pre className="raw" data-testid="new-token">
            {state.token}
          </pre>
          <CopyButton value={state.token} label="Copy the token" />
          <p className="muted">Use it as: curl -H &quot;Authorization: Bearer {state.token.slice(0, 11)}…&quot; …/api/uploads</p>
        </div>
      )}
    </>
  );
}

export function RevokeTokenForm({ id, name }: { id: string; name: string }) {
  const [state, action, pending] = useActionState(revokeTokenAction, {});
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
