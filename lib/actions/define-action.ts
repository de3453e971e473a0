// Every server action is built here, one way: authorize (lib/auth/server.ts), parse the form with a zod schema
// into per-field errors, run, and answer one ActionState. A UserFacingError's message goes to the form; Next.js
// interrupts (redirect, notFound, forbidden) pass through untouched; anything else is logged and answered with a
// generic message, so that no form input can turn into an error page or leak an internal detail.
//
//   export const createTokenAction = defineAction({
//     permission: "token:own",
//     input: z.object({ name: z.string() }),
//     audit: "lib",
//     run: async ({ name }, { actor }) => { … return { ok: "Created.", token }; },
//   });
import { forbidden, unstable_rethrow } from "next/navigation";
import { z } from "zod";
import { writeAudit, type AuditEntry } from "../audit/log";
import type { Permission } from "../auth/permissions";
import { AuthorizationError, authorizeAction, type AuthUser } from "../auth/server";
import type { ActionState, FieldErrors } from "./state";
import { UserFacingError } from "../errors/user-facing-error";

/** A permission, or "public" for the actions of people not signed in yet (sign-in, the first admin). */
type Access = Permission | "public";
type ActorFor<A extends Access> = A extends "public" ? null : AuthUser;

/**
 * Where the action's change is recorded in the audit log. Every action says so: an action cannot be left
 * unaudited by forgetting.
 */
export type AuditPolicy =
  /** The lib function the action calls writes the audit row in the transaction that makes the change. */
  | "lib"
  /** The action writes it itself with `audit()` (for changes whose lib function does not). */
  | "action"
  /** Changes nothing shared: a preview, a search, a view preference (or sign-out, audited by lib/auth). */
  | "read-only";

/** The submitted form as the schema sees it: each field's first text value (files are no action's input). */
type FormFields = Record<string, string>;

export interface ActionContext<A extends Access> {
  actor: ActorFor<A>;
  /** The form itself, for fields whose names are data (a suppression's `field.<name>`). */
  form: FormData;
  /** Writes the audit row of an action whose policy is "action". */
  audit(entry: AuditEntry): Promise<void>;
}

type FieldOf<S extends z.ZodType> = Extract<keyof z.input<S>, string>;
/** The data a run hands back beside `ok`: the token created, a preview, … */
type DataOf<R> = [R] extends [never] ? object : R extends object ? Omit<R, keyof ActionState> : object;

export interface ActionDefinition<A extends Access, S extends z.ZodType, R, E extends object> {
  permission: A;
  /** The form's fields: its messages are the fields' errors. Unknown fields are dropped, missing ones are undefined. */
  input: S;
  audit: AuditPolicy;
  /** What the form shows again after a failure (what the user typed, made safe), from the submitted fields. */
  echo?: (fields: Partial<FormFields>) => E;
  /** The work, on valid input. Throw UserFacingError to refuse with a message; redirect() as Next.js does. */
  run(input: z.output<S>, context: ActionContext<A>): Promise<R>;
}

export type StateOf<S extends z.ZodType, R, E extends object> = ActionState<DataOf<R> & E, FieldOf<S>>;

/** The message for a failure that is not the user's to fix (it is logged with its details). */
export const UNEXPECTED_ERROR = "Something went wrong on the server (it has been logged). Try again, or tell an administrator.";

function formFields(form: unknown): FormFields {
  const fields: FormFields = {};
  // Called without a form (a button with no fields, or a test calling the action directly): no fields.
  if (!form || typeof (form as FormData).entries !== "function") return fields;
  for (const [key, value] of (form as FormData).entries()) if (typeof value === "string" && !(key in fields)) fields[key] = value;
  return fields;
}

const unique = (messages: string[]) => [...new Set(messages)];

/** How a refusal for lack of permission is answered: in the form's state, or (a form with no state) as a 403. */
type Refusal = "state" | "forbidden";

async function perform<A extends Access, S extends z.ZodType, R, E extends object>(definition: ActionDefinition<A, S, R, E>, form: unknown, refusal: Refusal = "state"): Promise<StateOf<S, R, E>> {
  type State = StateOf<S, R, E>;
  const fields = formFields(form);
  const echo = () => (definition.echo?.(fields) ?? {}) as Partial<E>;
  try {
    // Authorization first: an anonymous caller is sent to sign in whatever the form holds.
    const actor = (definition.permission === "public" ? null : await authorizeAction(definition.permission)) as ActorFor<A>;
    const parsed = definition.input.safeParse(fields);
    if (!parsed.success) {
      const { formErrors, fieldErrors } = z.flattenError(parsed.error) as { formErrors: string[]; fieldErrors: FieldErrors };
      // Every message in `error` too: a form may show only some fields (ids are hidden inputs).
      const messages = unique([...formErrors, ...Object.values(fieldErrors).flatMap((m) => m ?? [])]);
      return { error: messages.join(" "), fieldErrors, ...echo() } as State;
    }
    let audited = false;
    const context: ActionContext<A> = {
      actor,
      form: form instanceof FormData ? form : new FormData(),
      audit: async (entry) => {
        await writeAudit(actor, entry);
        audited = true;
      },
    };
    const state = await definition.run(parsed.data, context);
    if (definition.audit === "action" && !audited) console.error(`a server action (${definition.permission}) said it audits its change but wrote no audit row`);
    return (state ?? {}) as State;
  } catch (e) {
    unstable_rethrow(e);
    if (refusal === "forbidden" && e instanceof AuthorizationError) forbidden();
    if (e instanceof UserFacingError) return { error: e.message, ...(e.field ? { fieldErrors: { [e.field]: [e.message] } } : {}), ...echo() } as State;
    console.error("server action failed:", e);
    return { error: UNEXPECTED_ERROR, ...echo() } as State;
  }
}

/** A server action for useActionState: `(previous state, form) => state`. */
export function defineAction<A extends Access, S extends z.ZodType, R, E extends object = object>(
  definition: ActionDefinition<A, S, R, E>,
): (previous?: StateOf<S, R, E>, form?: FormData) => Promise<StateOf<S, R, E>> {
  return async (_previous, form) => perform(definition, form);
}

/**
 * A server action for a plain `<form action>` that ends in a redirect (sign-out, the "as of" control): it has no
 * state to show, so a caller without the permission gets the 403 page (never a silent no-op), and any other
 * refusal or failure only stays on the page (and is logged if unexpected).
 */
export function defineFormAction<A extends Access, S extends z.ZodType>(definition: ActionDefinition<A, S, void, object>): (form?: FormData) => Promise<void> {
  return async (form) => {
    await perform(definition, form, "forbidden");
  };
}
