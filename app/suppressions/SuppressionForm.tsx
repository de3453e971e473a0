"use client";
// The suppression editor: which of the result's group fields to match (drop `dest` to apply it fleet-wide), their
// values (`*` a wildcard, case-insensitive), a required reason, an optional expiry, and a live preview of what it
// would remove. The same form creates ("Mark as false positive") and edits.
import Link from "next/link";
import { useActionState, useEffect, useRef, useState, useTransition } from "react";
import { FormOutcome, useFieldErrors } from "@/components/forms/fields";
import { SafeText } from "@/components/SafeText";
import { filterMacroDefinition } from "@/lib/detections/filter";
import { visibleBidi } from "@/lib/text/bidi";
import type { ActionState } from "@/lib/actions/state";
import type { SuppressionPreview } from "@/lib/triage/suppressions";
import { createSuppressionAction, previewSuppressionAction, updateSuppressionAction } from "./actions";
import { hostUrl } from "@/lib/links/urls";
import { TableHead } from "@/components/TableHead";

interface Props {
  mode: "create" | "edit";
  id?: string;
  detectionId: string;
  groupFields: string[];
  /** Fields matched now, with their values. */
  match: Record<string, string>;
  /** Values to offer for fields not matched (the result row's). */
  rowValues?: Record<string, string>;
  reason?: string;
  /** yyyy-mm-ddThh:mm (UTC) or "". */
  expiresAt?: string;
  resultId?: string | null;
  initialPreview: SuppressionPreview | null;
  /** Edit: when the suppression was last changed (ISO); a save is refused if it changed since the page was loaded. */
  version?: string;
}

export function PreviewPanel({ preview, error, pending }: { preview: SuppressionPreview | null; error?: string; pending?: boolean }) {
  return (
    <section className="panel" aria-label="Preview" data-testid="suppression-preview" aria-busy={pending} aria-live="polite">
      <strong>Preview</strong> {pending && <span className="muted">(updating…)</span>}
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      {preview && !error && (
        <>
          <p data-testid="preview-summary">
            Would hide <strong>{preview.newlyHidden}</strong> of {preview.detectionResults} result{preview.detectionResults === 1 ? "" : "s"} of this detection
            {preview.alreadyHidden > 0 ? ` (it matches ${preview.matched}: ${preview.alreadyHidden} already hidden by another suppression)` : ""} and remove{" "}
            <strong data-testid="preview-risk">{preview.riskScore}</strong> risk ({preview.riskEvents} risk event{preview.riskEvents === 1 ? "" : "s"}) from{" "}
            {preview.hostCount} host{preview.hostCount === 1 ? "" : "s"}
            {preview.openNotables > 0 ? `; ${preview.openNotables} open notable${preview.openNotables === 1 ? "" : "s"} would leave the queue` : ""}.
          </p>
          {preview.hosts.length > 0 && (
            <table className="data" aria-label="Risk removed per host">
              <TableHead columns={["Host", "Results hidden", "Risk removed"]} />
              <tbody>
                {preview.hosts.map((h) => (
                  <tr key={h.dest}>
                    <td>
                      <Link href={hostUrl(h.dest)}>{h.dest ? <SafeText text={h.dest} /> : "(no dest)"}</Link>
                    </td>
                    <td>{h.results}</td>
                    <td>−{h.risk}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          {preview.hostCount > preview.hosts.length && <p className="muted">…and {preview.hostCount - preview.hosts.length} more hosts.</p>}
        </>
      )}
    </section>
  );
}

export function SuppressionForm(props: Props) {
  const action = props.mode === "create" ? createSuppressionAction : updateSuppressionAction;
  const [state, formAction, saving] = useActionState<ActionState, FormData>(action, {});
  const field = useFieldErrors(state.fieldErrors);
  const [reason, expiresAt] = [field("reason"), field("expiresAt")];
  const formRef = useRef<HTMLFormElement>(null);
  const [included, setIncluded] = useState<Record<string, boolean>>(() => Object.fromEntries(props.groupFields.map((f) => [f, f in props.match])));
  const [values, setValues] = useState<Record<string, string>>(() =>
    Object.fromEntries(props.groupFields.map((f) => [f, props.match[f] ?? props.rowValues?.[f] ?? ""])),
  );
  const [preview, setPreview] = useState<{ preview: SuppressionPreview | null; error?: string }>({ preview: props.initialPreview });
  const [previewing, startPreview] = useTransition();
  const first = useRef(true);

  const match = Object.fromEntries(props.groupFields.filter((f) => included[f]).map((f) => [f, values[f]]));
  const matchKey = JSON.stringify(match);

  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    const timer = setTimeout(() => {
      if (!formRef.current) return;
      const data = new FormData(formRef.current);
      startPreview(async () => {
        const result = await previewSuppressionAction({}, data);
        setPreview({ preview: result.preview ?? null, error: result.error });
      });
    }, 350);
    return () => clearTimeout(timer);
  }, [matchKey]);

  return (
    <form ref={formRef} action={formAction} aria-label={props.mode === "create" ? "New suppression" : "Edit suppression"}>
      <input type="hidden" name="detectionId" value={props.detectionId} />
      {props.id && <input type="hidden" name="id" value={props.id} />}
      {props.version && <input type="hidden" name="version" value={props.version} />}
      {props.resultId && <input type="hidden" name="resultId" value={props.resultId} />}
      <table className="data" aria-label="Fields to match">
        <TableHead columns={["Match", "Field", "Value (case-insensitive, * matches anything)"]} />
        <tbody>
          {props.groupFields.map((f) => (
            <tr key={f}>
              <td>
                <input
                  type="checkbox"
                  id={`field-${f}`}
                  name={`field.${f}`}
                  aria-label={`Match ${f}`}
                  checked={!!included[f]}
                  onChange={(e) => setIncluded({ ...included, [f]: e.target.checked })}
                />
              </td>
              <td className="mono">
                <label htmlFor={`field-${f}`}>{f}</label>
              </td>
              <td>
                <input
                  name={`value.${f}`}
                  aria-label={`${f} value`}
                  className="mono"
                  style={{ width: "100%" }}
                  value={values[f]}
                  disabled={!included[f]}
                  onChange={(e) => setValues({ ...values, [f]: e.target.value })}
                />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <p className="muted">
        Drop <span className="mono">dest</span> to apply it to every host. As the detection&apos;s filter macro:
      </p>
      <pre className="raw" aria-label="Suppression as SPL">
        {visibleBidi(filterMacroDefinition(Object.keys(match).length ? [match] : []))}
      </pre>
      <PreviewPanel preview={preview.preview} error={preview.error} pending={previewing} />
      <div className="filters" style={{ marginTop: 12 }}>
        {/* Keyed by the saved version: after a save the fields show what was saved (React resets a form after its action). */}
        <label key={`reason ${props.version ?? ""}`} style={{ flex: "1 1 400px" }}>
          Reason (required)
          <textarea name="reason" required maxLength={2000} rows={2} defaultValue={props.reason ?? ""} style={{ width: "100%" }} {...reason.input} />
        </label>
        {reason.message}
        <label key={`expires ${props.version ?? ""}`}>
          Expires (UTC, optional)
          <input type="datetime-local" name="expiresAt" defaultValue={props.expiresAt ?? ""} {...expiresAt.input} />
        </label>
        {expiresAt.message}
        <button type="submit" className="primary" disabled={saving || Object.keys(match).length === 0}>
          {props.mode === "create" ? "Save suppression" : "Save changes"}
        </button>
      </div>
      <FormOutcome ok={state.ok} error={state.error} />
    </form>
  );
}
