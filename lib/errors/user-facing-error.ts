// The one kind of error whose message a user may see. Server actions (lib/actions/define-action.ts) show its
// message in the form; any other error is logged and answered with a generic message, so that an internal detail
// (a SQL error, a file path) never reaches the page. Refusals in lib/ (UserError, TriageError, …) are subclasses.
// This module imports nothing: lib/auth, lib/triage and the command line can all throw it.

export class UserFacingError extends Error {
  name = "UserFacingError";
  /** The form field the message is about, when there is one: the form shows it next to that field too. */
  readonly field?: string;

  constructor(message: string, options: { field?: string } = {}) {
    super(message);
    this.field = options.field;
  }
}
