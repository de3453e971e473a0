import { createUser } from "../lib/auth/users";
import { createApiToken } from "../lib/auth/tokens";
import { cliActor } from "../lib/audit/log";
const u = await createUser({ username: "admin" + Date.now(), password: "correct horse battery staple 1", role: "admin" }, cliActor());
const { token } = await createApiToken({ userId: u.id, name: "t" }, cliActor());
console.log(token);
process.exit(0);
