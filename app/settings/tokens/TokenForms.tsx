"use client";
import { useActionState } from "react";
import { FormOutcome, useFieldErrors } from "@/components/forms/fields";
import { NewTokenNotice, RevokeForm } from "@/components/forms/TokenForms";
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
      {state.token && <NewTokenNotice ok={state.ok} token={state.token} testId="new-token" usage={<>Use it as: curl -H &quot;Authorization: Bearer {state.token.slice(0, 11)}…&quot; …/api/uploads</>} />}
    </>
  );
}

export function RevokeTokenForm({ id, name }: { id: string; name: string }) {
  return <RevokeForm id={id} name={name} revoke={revokeTokenAction} />;
}
