"use client";
import { useActionState } from "react";
import { FormOutcome } from "@/components/forms/fields";
import { adhocRunAction, updateSettingsAction, type AdhocState, type SettingsState } from "./actions";

export function SettingsForm({ id, enabled, riskScore, defaultScore }: { id: string; enabled: boolean; riskScore: number | null; defaultScore: number }) {
  const [state, action, pending] = useActionState<SettingsState, FormData>(updateSettingsAction, {});
  return (
    <form action={action} className="filters" aria-label="Detection settings">
      <input type="hidden" name="id" value={id} />
      <label>
        State
        <select name="enabled" defaultValue={String(enabled)}>
          <option value="true">enabled</option>
          <option value="false">disabled</option>
        </select>
      </label>
      <label>
        Risk score (ESCU default {defaultScore})
        <input name="riskScore" defaultValue={riskScore ?? ""} inputMode="numeric" size={5} placeholder={String(defaultScore)} />
      </label>
      <button type="submit" disabled={pending}>
        Save settings
      </button>
      <FormOutcome inline ok={state.ok} error={state.error} />
    </form>
  );
}

export function AdhocRunForm({ id, from, to }: { id: string; from: string; to: string }) {
  const [state, action, pending] = useActionState<AdhocState, FormData>(adhocRunAction, {});
  const columns = state.rows?.length ? Object.keys(state.rows[0]) : [];
  return (
    <>
      <form action={action} className="filters" aria-label="Run search">
        <input type="hidden" name="id" value={id} />
        <label>
          Earliest (UTC)
          <input type="datetime-local" name="from" defaultValue={from} required />
        </label>
        <label>
          Latest (UTC)
          <input type="datetime-local" name="to" defaultValue={to} required />
        </label>
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
              <thead>
                <tr>
                  {columns.map((c) => (
                    <th key={c}>{c}</th>
                  ))}
                </tr>
              </thead>
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
