// What every server action answers its form (useActionState): a confirmation or an error for the whole form, the
// errors of each field, and the data the action hands back (the token just created, a preview, search rows, the
// values the form shows again after a failure). Type-only: client components import it.

/** Each field's messages, keyed by the form field's name. */
export type FieldErrors<Field extends string = string> = Partial<Record<Field, string[]>>;

export type ActionState<Data extends object = object, Field extends string = string> = {
  /** What was done, for a status line. */
  ok?: string;
  /** Why nothing was done, for an alert (every field error is in it too, for forms whose fields are hidden). */
  error?: string;
  fieldErrors?: FieldErrors<Field>;
} & Partial<Data>;
