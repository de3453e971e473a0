"use client";
import { useActionState } from "react";
import { FormOutcome, useFieldErrors } from "@/components/forms/fields";
import { NewTokenNotice, RevokeForm } from "@/components/forms/TokenForms";
import { createHecTokenAction, revokeHecTokenAction } from "./actions";

export function CreateHecTokenForm() {
  const [state, action, pending] = useActionState(createHecTokenAction, {});
  const field = useFieldErrors(state.fieldErrors);
  const [name, host, source, sourcetype] = [field("name"), field("defaultHost"), field("defaultSource"), field("defaultSourcetype")];
  return (
    <>
      <form action={action} className="filters" aria-label="Create a HEC token">
        <label>
          Name
          <input name="name" required maxLength={100} placeholder="e.g. OTel collectors, web fleet" defaultValue={state.name} {...name.input} />
        </label>
        {name.message}
        <label>
          Default host
          <input name="defaultHost" maxLength={255} {...host.input} />
        </label>
        {host.message}
        <label>
          Default source
          <input name="defaultSource" maxLength={255} {...source.input} />
        </label>
        {source.message}
        <label>
          Default sourcetype
          <input name="defaultSourcetype" maxLength={255} {...sourcetype.input} />
        </label>
        {sourcetype.message}
        <label>
          <input type="checkbox" name="ackEnabled" defaultChecked /> Indexer acknowledgement
        </label>
        <button type="submit" className="primary" disabled={pending}>
          Create token
        </button>
      </form>
      <FormOutcome error={state.error} />
      {state.token && <NewTokenNotice ok={state.ok} token={state.token} testId="new-hec-token" usage={<>Shippers send it as: Authorization: Splunk {state.token.slice(0, 8)}… to /services/collector/event</>} />}
    </>
  );
}

export function RevokeHecTokenForm({ id, name }: { id: string; name: string }) {
  return <RevokeForm id={id} name={name} revoke={revokeHecTokenAction} />;
}
