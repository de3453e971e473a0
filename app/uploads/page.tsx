import type { Metadata } from "next";
import Link from "next/link";
import { UploadDropzone } from "@/components/UploadDropzone";
import { SafeText } from "@/components/SafeText";
import { Time, ZoneHeading } from "@/components/time/TimeZone";
import { listUploads } from "@/lib/ingest/queries";
import { requireUser } from "@/lib/auth/server";
import { uploadUrl } from "@/lib/links/urls";
import { TableHead } from "@/components/TableHead";

export const metadata: Metadata = { title: "Uploads" };
export const dynamic = "force-dynamic";

export default async function UploadsPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  await requireUser("data:read");
  const uploads = await listUploads();
  const { deleted, events } = await searchParams;
  return (
    <>
      <h1>Uploads</h1>
      {typeof deleted === "string" && (
        <p className="ok" role="status">
          Deleted <SafeText text={String(deleted)} />
          {typeof events === "string" && /^\d+$/.test(events) ? ` and the ${Number(events).toLocaleString("en")} events only it held` : ""}.
        </p>
      )}
      <UploadDropzone />
      <h2>History</h2>
      <table className="data" aria-label="Upload history">
        <TableHead columns={[<ZoneHeading key="r">Received</ZoneHeading>, "File", "Format", "Status", "Read", "Stored", "Duplicate", "Rejected"]} />
        <tbody>
          {uploads.map((u) => (
            <tr key={u.id}>
              <td>
                <Time iso={u.createdAt.toISOString()} zoneInHeading />
              </td>
              <td className="wrap-anywhere">
                <Link href={uploadUrl(u.id)}>
                  <SafeText text={u.filename} />
                </Link>
              </td>
              <td>{u.format ?? "—"}</td>
              <td className={`status-${u.status}`}>{u.status}</td>
              <td>{u.recordsRead.toLocaleString()}</td>
              <td>{u.stored.toLocaleString()}</td>
              <td>{u.duplicates.toLocaleString()}</td>
              <td>{u.rejected.toLocaleString()}</td>
            </tr>
          ))}
          {uploads.length === 0 && (
            <tr>
              <td colSpan={8} className="muted">
                No uploads yet.
              </td>
            </tr>
          )}
        </tbody>
      </table>
    </>
  );
}
