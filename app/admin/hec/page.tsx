import type { Metadata } from "next";
import { SafeText } from "@/components/SafeText";
import { TableHead } from "@/components/TableHead";
import { Time, ZoneHeading } from "@/components/time/TimeZone";
import { requireUser } from "@/lib/auth/server";
import { listHecTokens } from "@/lib/hec/tokens";
import { CreateHecTokenForm, RevokeHecTokenForm } from "./HecTokenForms";

export const metadata: Metadata = { title: "HEC tokens" };
export const dynamic = "force-dynamic";

export default async function HecTokensPage() {
  await requireUser("user:manage");
  const tokens = await listHecTokens();
  return (
    <>
      <h1>HTTP Event Collector tokens</h1>
      <p>
        Shippers that speak Splunk&apos;s HTTP Event Collector (the OpenTelemetry collector, Vector, Fluent Bit, NXLog, Cribl, syslog-ng) send
        events to <code>/services/collector/event</code> with <code>Authorization: Splunk &lt;token&gt;</code>. A HEC token can only send events:
        it reads nothing and acts as no one. Events without a host, source or sourcetype take the token&apos;s defaults. With indexer
        acknowledgement, requests must name a channel (<code>X-Splunk-Request-Channel</code>) and each batch is acknowledged once stored. The
        token is shown once; only its hash is kept.
      </p>
      <CreateHecTokenForm />
      <h2>Tokens</h2>
      <table className="data" aria-label="HEC tokens">
        <TableHead columns={["Name", "Token", "Defaults (host, source, sourcetype)", "Ack", "Created by", <ZoneHeading key="c">Created</ZoneHeading>, <ZoneHeading key="l">Last used</ZoneHeading>, "Status", ""]} />
        <tbody>
          {tokens.map((t) => (
            <tr key={t.id}>
              <td className="wrap-anywhere">
                <SafeText text={t.name} />
              </td>
              <td className="mono">{t.prefix}…</td>
              <td className="wrap-anywhere">
                <SafeText text={[t.defaultHost, t.defaultSource, t.defaultSourcetype].map((v) => v ?? "—").join(", ")} />
              </td>
              <td>{t.ackEnabled ? "on" : "off"}</td>
              <td>{t.createdBy ?? "—"}</td>
              <td>
                <Time iso={t.createdAt.toISOString()} zoneInHeading />
              </td>
              <td>
                <Time iso={t.lastUsedAt?.toISOString()} zoneInHeading />
              </td>
              <td>
                {t.revokedAt ? (
                  <>
                    revoked <Time iso={t.revokedAt.toISOString()} />
                  </>
                ) : (
                  "active"
                )}
              </td>
              <td>{!t.revokedAt && <RevokeHecTokenForm id={t.id} name={t.name} />}</td>
            </tr>
          ))}
          {tokens.length === 0 && (
            <tr>
              <td colSpan={9} className="muted">
                No HEC tokens yet.
              </td>
            </tr>
          )}
        </tbody>
      </table>
    </>
  );
}
