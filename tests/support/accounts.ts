// Accounts for the database tests: a user made as the CLI makes one (audited to the CLI), and one signed in with
// its session's cookie ready for setRequest (tests/next-request.ts) or a request's Cookie header.
import { cliActor } from "../../lib/audit/log";
import { SESSION_COOKIE } from "../../lib/auth/config";
import type { Role } from "../../lib/auth/permissions";
import { createSession } from "../../lib/auth/sessions";
import { createUser } from "../../lib/auth/users";

export function makeUser(username: string, role: Role, password: string) {
  return createUser({ username, password, role }, cliActor());
}

export async function signedInUser(username: string, role: Role, password: string) {
  const user = await makeUser(username, role, password);
  const { token } = await createSession(user.id);
  return { id: user.id, token, cookies: { [SESSION_COOKIE]: token }, cookieHeader: `${SESSION_COOKIE}=${token}` };
}
