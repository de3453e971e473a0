import type { Metadata } from "next";
import { Time, ZoneHeading } from "@/components/time/TimeZone";
import { requireUser } from "@/lib/auth/server";
import { listUsers } from "@/lib/auth/users";
import { CreateUserForm, UserRowForms } from "./UserForms";
import { TableHead } from "@/components/TableHead";

export const metadata: Metadata = { title: "Users" };
export const dynamic = "force-dynamic";

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
        <TableHead columns={["Username", "Role", "Status", <ZoneHeading key="c">Created</ZoneHeading>, <ZoneHeading key="l">Last sign-in</ZoneHeading>, "Actions"]} />
        <tbody>
          {users.map((u) => (
            <tr key={u.id}>
              <td className="wrap-anywhere">
                {u.username}
                {u.id === me.id ? " (you)" : ""}
              </td>
              <td>{u.role}</td>
              <td>{u.disabled ? "disabled" : "active"}</td>
              <td>
                <Time iso={u.createdAt.toISOString()} zoneInHeading />
              </td>
              <td>
                <Time iso={u.lastLoginAt?.toISOString()} zoneInHeading />
              </td>
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
