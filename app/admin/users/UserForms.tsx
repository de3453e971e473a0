"use client";
import { useActionState } from "react";
import { FormOutcome, useFieldErrors } from "@/components/forms/fields";
import { PASSWORD_MIN_LENGTH } from "@/lib/auth/password-rules";
import { ROLE_DESCRIPTIONS, ROLES, type Role } from "@/lib/auth/permissions";
import { createUserAction, endSessionsAction, resetPasswordAction, updateUserAction } from "./actions";

export function CreateUserForm() {
  const [state, action, pending] = useActionState(createUserAction, {});
  const field = useFieldErrors(state.fieldErrors);
  const [username, password, role] = [field("username"), field("password"), field("role")];
  return (
    <form action={action} className="filters" aria-label="Create a user">
      <label>
        Username
        <input name="username" required maxLength={64} autoComplete="off" defaultValue={state.username ?? ""} {...username.input} />
      </label>
      {username.message}
      <label>
        Password
        <input name="password" type="password" required minLength={PASSWORD_MIN_LENGTH} maxLength={256} autoComplete="new-password" {...password.input} />
      </label>
      {password.message}
      <label>
        Role
        <select name="role" defaultValue="analyst" {...role.input}>
          {ROLES.map((r) => (
            <option key={r} value={r}>
              {r} — {ROLE_DESCRIPTIONS[r]}
            </option>
          ))}
        </select>
      </label>
      {role.message}
      <button type="submit" className="primary" disabled={pending}>
        Create user
      </button>
      <FormOutcome inline ok={state.ok} error={state.error} />
    </form>
  );
}

export function UserRowForms({ id, username, role, disabled }: { id: string; username: string; role: Role; disabled: boolean }) {
  const [roleState, roleAction] = useActionState(updateUserAction, {});
  const [flagState, flagAction] = useActionState(updateUserAction, {});
  const [pwState, pwAction] = useActionState(resetPasswordAction, {});
  const [sessState, sessAction] = useActionState(endSessionsAction, {});
  return (
    <div style={{ display: "flex", flexWrap: "wrap", gap: 8, alignItems: "center" }}>
      <form action={roleAction} aria-label={`Role of ${username}`}>
        <input type="hidden" name="id" value={id} />
        <select name="role" defaultValue={role} aria-label={`Role of ${username}`}>
          {ROLES.map((r) => (
            <option key={r} value={r}>
              {r}
            </option>
          ))}
        </select>{" "}
        <button type="submit">Save role</button> <FormOutcome inline ok={roleState.ok} error={roleState.error} />
      </form>
      <form action={flagAction}>
        <input type="hidden" name="id" value={id} />
        <input type="hidden" name="disabled" value={disabled ? "false" : "true"} />
        <button type="submit">{disabled ? "Enable" : "Disable"}</button> <FormOutcome inline ok={flagState.ok} error={flagState.error} />
      </form>
      <form action={pwAction} aria-label={`Reset password of ${username}`}>
        <input type="hidden" name="id" value={id} />
        <input name="password" type="password" placeholder="new password" required minLength={PASSWORD_MIN_LENGTH} maxLength={256} autoComplete="new-password" aria-label={`New password for ${username}`} />{" "}
        <button type="submit">Set password</button> <FormOutcome inline ok={pwState.ok} error={pwState.error} />
      </form>
      <form action={sessAction}>
        <input type="hidden" name="id" value={id} />
        <button type="submit">End sessions</button> <FormOutcome inline ok={sessState.ok} error={sessState.error} />
      </form>
    </div>
  );
}
