"use client";
import { useActionState } from "react";
import { FormOutcome, useFieldErrors } from "@/components/forms/fields";
import { adhocRunAction, updateSettingsAction } from "./actions";
import { TableHead } from "@/components/TableHead";

export function SettingsForm({ id, enabled, riskScore, defaultScore }: { id: string; enabled: boolean; riskScore: number | null; defaultScore: number }) {
  const [state, action, pending] = useActionState(updateSettingsAction, {});
  const field = useFieldErrors(state.fieldErrors);
  const [stateField, score] = [field("enabled"), field("riskScore")];
  return (
    <form action={action} className="filters" aria-label="Detection settings">
      <input type="hidden" name="id" value={id} />
      {/* Keyed by the saved settings: after a save the fields show them (React resets a form to its first defaults). */}
      <label key={`enabled ${enabled}`}>
        State
        <select name="enabled" defaultValue={String(enabled)} {...stateField.input}>
          <option value="true">enabled</option>
          <option value="false">disabled</option>
        </select>
      </label>
      {stateField.message}
      <label key={`score ${riskScore}`}>
        Risk score (ESCU default {defaultScore})
        <input name="riskScore" defaultValue={riskScore ?? ""} inputMode="numeric" size={5} placeholder={String(defaultScore)} {...score.input} />
      </label>
      {score.message}
      <button type="submit" disabled={pending}>
        Save settings
      </button>
      <FormOutcome inline ok={state.ok} error={state.error} />
    </form>
  );
}

export function AdhocRunForm({ id, from, to }: { id: string; from: string; to: string }) {
  const [state, action, pending] = useActionState(adhocRunAction, {});
  const field = useFieldErrors(state.fieldErrors);
  const [fromField, toField] = [field("from"), field("to")];
  const columns = state.rows?.length ? Object.keys(state.rows[0]) : [];
  return (
    <>
      <form action={action} className="filters" aria-label="Run search">
        <input type="hidden" name="id" value={id} />
        {/* Keyed by the range last run: React resets a form after its action, and it must come back as the user left it. */}
        <label key={`from ${state.ranAt ?? ""}`}>
          Earliest (UTC)
          <input type="datetime-local" name="from" defaultValue={state.from ?? from} required {...fromField.input} />
        </label>
        {fromField.message}
        <label key={`to ${state.ranAt ?? ""}`}>
          Latest (UTC)
          <input type="datetime-local" name="to" defaultValue={state.to ?? to} required {...toField.input} />
        </label>
        {toField.message}
        <button type="submit" className="primary" disabled={pending}>
          Run search
        </button>
      </form>
      <FormOutcome error={state.error} />
      {state.rows && (
        <>
          <p role="status">
            {state.rows.length} row{state.rows.length === 1 ? "" : "s"} (ad-hoc: no risk events or notables are created).
          </p>
          {state.rows.length > 0 && (
            <table className="data" aria-label="Search results">
              <TableHead columns={columns} />
              <tbody>
                {state.rows.map((r, i) => (
                  <tr key={i}>
                    {columns.map((c) => (
                      <td key={c} className="mono wrap-anywhere">
                        {String(r[c] ?? "")}
                      </td>
                    ))}
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </>
      )}
    </>
  );
}
