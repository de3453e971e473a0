import type { Metadata } from "next";
import { requireUser } from "@/lib/auth/server";
import { listUsers } from "@/lib/auth/users";
import { CreateUserForm, UserRowForms } from "./UserForms";

export const metadata: Metadata = { title: "Users" };
export const dynamic = "force-dynamic";

const when = (d: Date | null) => (d ? d.toISOString().slice(0, 19).replace("T", " ") : "—");

export default async function UsersPage() {
  const me = await requireUser("user:manage");
  const users = await listUsers();
  return (
    <>
      <h1>Users</h1>
      <p className="muted">
        Analysts read, comment and upload; triagers also work notables and suppressions; admins also manage users, detection settings,
        uploads and the audit log. Every change here is audited.
      </p>
      <CreateUserForm />
      <table className="data" aria-label="Users">
        <thead>
          <tr>
            <th>Username</th>
            <th>Role</th>
            <th>Status</th>
            <th>Created (UTC)</th>
            <th>Last sign-in (UTC)</th>
            <th>Actions</th>
          </tr>
        </thead>
        <tbody>
          {users.map((u) => (
            <tr key={u.id}>
              <td className="wrap-anywhere">
                {u.username}
                {u.id === me.id ? " (you)" : ""}
              </td>
              <td>{u.role}</td>
              <td>{u.disabled ? "disabled" : "active"}</td>
              <td className="mono nowrap">{when(u.createdAt)}</td>
              <td className="mono nowrap">{when(u.lastLoginAt)}</td>
              <td>
                <UserRowForms id={u.id} username={u.username} role={u.role} disabled={u.disabled} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}
