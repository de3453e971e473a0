// Pieces the forms share: a labelled input stacked under its label and a new password asked twice (the account
// forms), each field's errors next to it, and every form's outcome announced to assistive technology.
import { useId, type InputHTMLAttributes, type ReactNode } from "react";
import { PASSWORD_MIN_LENGTH } from "@/lib/auth/password-rules";
import type { FieldErrors } from "@/lib/actions/state";

/**
 * A field's errors from the server (ActionState.fieldErrors), shown next to it and tied to its input: spread
 * `input` on the control, put `message` after its label (outside it: the label stays the field's name).
 * The form's FormOutcome announces them; this says which field they are about.
 */
export function useFieldErrors(fieldErrors: FieldErrors | undefined) {
  const base = useId();
  return (name: string) => {
    const errors = fieldErrors?.[name];
    const id = `${base}-${name}-error`;
    if (!errors?.length) return { input: {}, message: null };
    return {
      input: { "aria-invalid": true, "aria-describedby": id } as const,
      message: (
        <span id={id} className="error" data-field-error={name}>
          {errors.join(" ")}
        </span>
      ),
    };
  };
}

export function StackedField({ label, errors, ...input }: { label: ReactNode; errors?: string[] } & InputHTMLAttributes<HTMLInputElement>) {
  const field = useFieldErrors(errors ? { [input.name ?? ""]: errors } : undefined)(input.name ?? "");
  return (
    <p>
      <label>
        {label}
        <br />
        <input {...input} {...field.input} />
      </label>
      {field.message && <br />}
      {field.message}
    </p>
  );
}

/** `password` and `confirm`, each at least PASSWORD_MIN_LENGTH characters (the server checks again), with their errors. */
export function NewPasswordFields({ label, fieldErrors }: { label: string; fieldErrors?: FieldErrors }) {
  const rules = { type: "password", autoComplete: "new-password", required: true, minLength: PASSWORD_MIN_LENGTH, maxLength: 256 } as const;
  return (
    <>
      <StackedField label={`${label} (at least ${PASSWORD_MIN_LENGTH} characters)`} name="password" errors={fieldErrors?.password} {...rules} />
      <StackedField label={`${label} again`} name="confirm" errors={fieldErrors?.confirm} {...rules} />
    </>
  );
}

/** The outcome of the last submission: an error as an alert, a confirmation as a status (`inline`: in a row of controls). */
export function FormOutcome({ error, ok, inline = false }: { error?: string | null; ok?: string | null; inline?: boolean }) {
  const Element = inline ? "span" : "p";
  return (
    <>
      {ok && (
        <Element className="status-done" role="status">
          {ok}
        </Element>
      )}
      {error && (
        <Element className="error" role="alert">
          {error}
        </Element>
      )}
    </>
  );
}
