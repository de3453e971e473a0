// A form control inside its label, the label's text first, as every filter form (and the notable change fields)
// lays out its fields; a select's options can come from a list of values.
import type { InputHTMLAttributes, ReactNode, SelectHTMLAttributes } from "react";

export interface Choice {
  value: string;
  label: ReactNode;
}

/** Each of `values` as an option, shown as `text(value)` (the value itself by default). */
export function choices<V extends string>(values: readonly V[], text: (value: V) => ReactNode = (value) => value): Choice[] {
  return values.map((value) => ({ value, label: text(value) }));
}

/** Detections as options: each by its id, shown by its name. */
export function detectionChoices(specs: readonly { id: string; name: string }[]): Choice[] {
  return specs.map((spec) => ({ value: spec.id, label: spec.name }));
}

/** `children` follow the input inside the label (a datalist of suggestions). */
export function LabelledInput({ label, children, ...input }: { label: ReactNode; children?: ReactNode } & InputHTMLAttributes<HTMLInputElement>) {
  return (
    <label>
      {label}
      <input {...input} />
      {children}
    </label>
  );
}

/** `children` are the options before `options` ("any", "leave as it is"); a select with fixed options may pass only them. */
export function LabelledSelect({ label, options = [], children, ...select }: { label: ReactNode; options?: Choice[]; children?: ReactNode } & SelectHTMLAttributes<HTMLSelectElement>) {
  return (
    <label>
      {label}
      <select {...select}>
        {children}
        {options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
    </label>
  );
}
