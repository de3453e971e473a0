// Read side of ingestion: uploads with their reports, and the events they stored.
import { z } from "zod";
import { db, Prisma } from "../db/client";
import type { ReaderProgress } from "./parser";

export async function listUploads(limit = 100) {
  return db().upload.findMany({ orderBy: { createdAt: "desc" }, take: limit });
}

export async function getUploadReport(id: string, rejectionLimit = 500) {
  if (!z.uuid().safeParse(id).success) return null;
  const upload = await db().upload.findUnique({
    where: { id },
    include: { rejections: { orderBy: { position: "asc" }, take: rejectionLimit } },
  });
  if (!upload) return null;
  // Format-level progress of the member being read (EVTX chunks), as the worker last recorded it.
  return { ...upload, live: (upload.readerProgress as (ReaderProgress & { member: string }) | null) ?? null };
}

/** JSON-safe view of an upload report (BigInt sizes become numbers). */
export function uploadJson(u: NonNullable<Awaited<ReturnType<typeof getUploadReport>>> | Awaited<ReturnType<typeof listUploads>>[number]) {
  return {
    ...u,
    sizeBytes: Number(u.sizeBytes),
    bytesProcessed: Number(u.bytesProcessed),
    ...("rejections" in u ? { rejections: u.rejections.map((r) => ({ ...r, id: Number(r.id) })) } : {}),
  };
}

export const EVENT_SORTS = ["time", "host", "eventCode", "channel"] as const;

export const eventListParams = z.object({
  page: z.coerce.number().int().min(1).max(100000).catch(1),
  size: z.coerce.number().int().min(10).max(200).catch(50),
  sort: z.enum(EVENT_SORTS).catch("time"),
  dir: z.enum(["asc", "desc"]).catch("desc"),
  host: z.string().trim().max(255).optional().catch(undefined),
  // An empty "Event code" field means any code (a bare coerce would read "" as event 0).
  code: z.preprocess((v) => (v === "" ? undefined : v), z.coerce.number().int().min(0).max(65535).optional()).catch(undefined),
  upload: z.uuid().optional().catch(undefined),
});
export type EventListParams = z.infer<typeof eventListParams>;

export async function listEvents(params: EventListParams & { from?: Date; to?: Date }) {
  const where: Prisma.EventWhereInput = {
    ...(params.host ? { hostId: params.host.toLowerCase() } : {}),
    ...(params.from || params.to ? { time: { ...(params.from ? { gte: params.from } : {}), ...(params.to ? { lt: params.to } : {}) } } : {}),
    ...(params.code !== undefined ? { eventCode: params.code } : {}),
    ...(params.upload ? { uploadId: params.upload } : {}),
  };
  const [rows, total] = await Promise.all([
    db().event.findMany({
      where,
      orderBy: [{ [params.sort]: params.dir }, { id: params.dir }],
      skip: (params.page - 1) * params.size,
      take: params.size,
      select: {
        id: true,
        time: true,
        timeCreated: true,
        host: true,
        channel: true,
        provider: true,
        eventCode: true,
        recordId: true,
        message: true,
        format: true,
        uploadId: true,
        position: true,
      },
    }),
    // Unfiltered, the total is the sum of the per-host counters the store keeps: no count(*) over every event.
    Object.keys(where).length === 0
      ? db().host.aggregate({ _sum: { eventCount: true } }).then((a) => a._sum.eventCount ?? 0)
      : db().event.count({ where }),
  ]);
  return {
    total,
    rows: rows.map((r) => ({ ...r, id: String(r.id), recordId: r.recordId === null ? null : String(r.recordId), time: r.time.toISOString() })),
  };
}
export type EventRow = Awaited<ReturnType<typeof listEvents>>["rows"][number];

/**
 * One stored event, every field, for its own page; null when there is none. `id` is the text of the URL: anything
 * but a bigint's digits is no event (never a database error).
 */
export async function getEvent(id: string) {
  if (!/^\d{1,18}$/.test(id)) return null;
  const event = await db().event.findUnique({
    where: { id: BigInt(id) },
    include: { upload: { select: { id: true, filename: true, format: true } } },
  });
  if (!event) return null;
  return { ...event, id: String(event.id), recordId: event.recordId === null ? null : String(event.recordId), data: event.data as Record<string, unknown> };
}
export type EventDetail = NonNullable<Awaited<ReturnType<typeof getEvent>>>;
