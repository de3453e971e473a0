import type { Metadata } from "next";
import { Time, ZoneHeading } from "@/components/time/TimeZone";
import { can, requireUser } from "@/lib/auth/server";
import { TOKEN_PERMISSIONS } from "@/lib/auth/permissions";
import { listApiTokens } from "@/lib/auth/tokens";
import { CreateTokenForm, RevokeTokenForm } from "./TokenForms";
import { TableHead } from "@/components/TableHead";

export const metadata: Metadata = { title: "API tokens" };
export const dynamic = "force-dynamic";

const isExpired = (d: Date | null) => d !== null && d.getTime() <= Date.now();

export default async function TokensPage() {
  const me = await requireUser("token:own");
  const admin = can(me, "user:manage");
  const tokens = await listApiTokens(admin ? {} : { userId: me.id });
  return (
    <>
      <h1>API tokens</h1>
      <p>
        Tokens let scripts upload logs and read data over HTTP: send <code>Authorization: Bearer &lt;token&gt;</code>. A token acts as
        you, limited to {TOKEN_PERMISSIONS.join(" and ")} — never triage or admin changes. It is shown once; only its hash is kept.
      </p>
      <CreateTokenForm />
      <h2>{admin ? "All tokens" : "Your tokens"}</h2>
      <table className="data" aria-label="API tokens">
        <TableHead columns={["Name", admin && "Owner", "Token", <ZoneHeading key="c">Created</ZoneHeading>, <ZoneHeading key="l">Last used</ZoneHeading>, <ZoneHeading key="e">Expires</ZoneHeading>, "Status", ""]} />
        <tbody>
          {tokens.map((t) => {
            const expired = isExpired(t.expiresAt);
            return (
              <tr key={t.id}>
                <td className="wrap-anywhere">{t.name}</td>
                {admin && <td>{t.username}</td>}
                <td className="mono">{t.prefix}…</td>
                <td>
                  <Time iso={t.createdAt.toISOString()} zoneInHeading />
                </td>
                <td>
                  <Time iso={t.lastUsedAt?.toISOString()} zoneInHeading />
                </td>
                <td>
                  <Time iso={t.expiresAt?.toISOString()} zoneInHeading />
                </td>
                <td>
                  {t.revokedAt ? (
                    <>
                      revoked <Time iso={t.revokedAt.toISOString()} />
                    </>
                  ) : expired ? (
                    "expired"
                  ) : (
                    "active"
                  )}
                </td>
                <td>{!t.revokedAt && <RevokeTokenForm id={t.id} name={t.name} />}</td>
              </tr>
            );
          })}
          {tokens.length === 0 && (
            <tr>
              <td colSpan={admin ? 8 : 7} className="muted">
                No tokens yet.
              </td>
            </tr>
          )}
        </tbody>
      </table>
    </>
  );
}
