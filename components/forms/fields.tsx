// Pieces the forms share: a labelled input stacked under its label and a new password asked twice (the account
// forms), and every form's outcome announced to assistive technology.
import type { InputHTMLAttributes, ReactNode } from "react";
import { PASSWORD_MIN_LENGTH } from "@/lib/auth/password-rules";

export function StackedField({ label, ...input }: { label: ReactNode } & InputHTMLAttributes<HTMLInputElement>) {
  return (
    <p>
      <label>
        {label}
        <br />
        <input {...input} />
      </label>
    </p>
  );
}

/** `password` and `confirm`, each at least PASSWORD_MIN_LENGTH characters (the server checks again). */
export function NewPasswordFields({ label }: { label: string }) {
  const rules = { type: "password", autoComplete: "new-password", required: true, minLength: PASSWORD_MIN_LENGTH, maxLength: 256 } as const;
  return (
    <>
      <StackedField label={`${label} (at least ${PASSWORD_MIN_LENGTH} characters)`} name="password" {...rules} />
      <StackedField label={`${label} again`} name="confirm" {...rules} />
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
