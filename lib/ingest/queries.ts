// Read side of ingestion: uploads with their reports, and the events they stored.
import { z } from "zod";
import { db, Prisma } from "../db/client";
import { parseBigintId, parseUuid, urlText } from "../db/ids";
import { tableStateSchema } from "../url/table-state";
import type { ReaderProgress } from "./parser";

export async function listUploads(limit = 100) {
  return db().upload.findMany({ orderBy: { createdAt: "desc" }, take: limit });
}

export async function getUploadReport(id: string, rejectionLimit = 500) {
  if (!parseUuid(id)) return null;
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

/** The events table's sortable column ids (components/EventsTable.tsx, EVENT_ORDER_BY below). */
export const EVENT_SORTS = ["time", "host", "eventCode", "channel"] as const;
export type EventSort = (typeof EVENT_SORTS)[number];
/** The event field each sort orders by. */
const EVENT_ORDER_BY = { time: "time", host: "host", eventCode: "eventCode", channel: "channel" } as const satisfies Record<EventSort, keyof Prisma.EventOrderByWithRelationInput>;

const urlTime = z
  .string()
  .trim()
  .max(40)
  .refine((v) => /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?Z?)?$/.test(v) && !Number.isNaN(Date.parse(/T/.test(v) && !v.endsWith("Z") ? `${v}Z` : v)))
  .transform((v) => new Date(/T/.test(v) && !v.endsWith("Z") ? `${v}Z` : v));
/** An event id from the URL (a keyset cursor): a bigint's digits, nothing else. */
const eventCursor = z.string().refine((v) => parseBigintId(v) !== null);

export const eventListParams = tableStateSchema({
  filters: {
    host: urlText().trim().max(255).optional().catch(undefined),
    // An empty "Event code" field means any code (a bare coerce would read "" as event 0).
    code: z.preprocess((v) => (v === "" ? undefined : v), z.coerce.number().int().min(0).max(65535).optional()).catch(undefined),
    upload: z.uuid().optional().catch(undefined),
    /** Free text, found in the message or the original record, any case. */
    q: z.string().trim().max(200).regex(/^[^\u0000]*$/).optional().catch(undefined).transform((v) => v || undefined),
    /** Event time range, UTC (a datetime-local value or ISO). */
    from: urlTime.optional().catch(undefined),
    to: urlTime.optional().catch(undefined),
    /** Keyset pagination: the page after (or before) this event, in the table's order. */
    after: eventCursor.optional().catch(undefined),
    before: eventCursor.optional().catch(undefined),
  },
  sort: { ids: EVENT_SORTS, default: "time" },
});
export type EventListParams = z.infer<typeof eventListParams>;

/** Matching events counted up to this many; past it the page says "10,000+". */
export const EVENT_COUNT_CAP = 10_000;

const EVENT_ROW_SELECT = {
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
  data: true,
} as const;

/**
 * A page of events. With `keyset` (the Events page), pages follow ?after=/?before= cursors (event ids) in the table's
 * order, so a deep page costs what the first one does; otherwise (the host page's short list) ?page= offsets.
 */
export async function listEvents(params: EventListParams, options: { keyset?: boolean } = {}) {
  const where: Prisma.EventWhereInput = {
    ...(params.host ? { hostId: params.host.toLowerCase() } : {}),
    ...(params.from || params.to ? { time: { ...(params.from ? { gte: params.from } : {}), ...(params.to ? { lt: params.to } : {}) } } : {}),
    ...(params.code !== undefined ? { eventCode: params.code } : {}),
    ...(params.upload ? { uploadId: params.upload } : {}),
    ...(params.q ? { OR: [{ message: { contains: params.q, mode: "insensitive" as const } }, { raw: { contains: params.q, mode: "insensitive" as const } }] } : {}),
  };
  const sortField = EVENT_ORDER_BY[params.sort];
  const orderBy = [{ [sortField]: params.dir }, { id: params.dir }];
  const cursor = options.keyset ? (params.after ?? params.before) : undefined;
  const backwards = options.keyset && !params.after && params.before !== undefined;
  const [found, total] = await Promise.all([
    cursor
      ? // One more than a page, to know whether there is another beyond it.
        db().event.findMany({
          where: { AND: [where, await beyondCursor(BigInt(cursor), sortField, params.dir === "asc" !== backwards ? "gt" : "lt")] },
          orderBy,
          take: backwards ? -(params.size + 1) : params.size + 1,
          select: EVENT_ROW_SELECT,
        })
      : db().event.findMany({ where, orderBy, skip: options.keyset ? 0 : (params.page - 1) * params.size, take: params.size + (options.keyset ? 1 : 0), select: EVENT_ROW_SELECT }),
    // Unfiltered, the total is the sum of the per-host counters the store keeps: no count(*) over every event.
    Object.keys(where).length === 0
      ? db().host.aggregate({ _sum: { eventCount: true } }).then((a) => a._sum.eventCount ?? 0)
      : db().event.count({ where, take: EVENT_COUNT_CAP + 1 }),
  ]);
  const more = found.length > params.size;
  const rows = !more ? found : backwards ? found.slice(1) : found.slice(0, params.size);
  const ids = rows.map((r) => String(r.id));
  const keyset = options.keyset
    ? {
        // Going back: more before means a previous page; there is always a next one (where we came from).
        previous: backwards ? (more ? ids[0] : null) : cursor ? (ids[0] ?? null) : null,
        next: backwards ? (ids.at(-1) ?? null) : more ? (ids.at(-1) ?? null) : null,
      }
    : undefined;
  return {
    total,
    totalCapped: total > EVENT_COUNT_CAP,
    keyset,
    rows: rows.map((r) => ({
      ...r,
      id: String(r.id),
      recordId: r.recordId === null ? null : String(r.recordId),
      time: r.time.toISOString(),
      data: keyData(r.data as Record<string, unknown>),
    })),
  };
}

/**
 * The events past a cursor event in the order (sort field, id): what Prisma's `cursor` would do, written out because
 * an event's id alone is not a declared unique key (the partitioned table's keys include host and time).
 */
async function beyondCursor(id: bigint, sortField: (typeof EVENT_ORDER_BY)[keyof typeof EVENT_ORDER_BY], op: "gt" | "lt"): Promise<Prisma.EventWhereInput> {
  const at = await db().event.findFirst({ where: { id }, select: { id: true, [sortField]: true } });
  if (!at) return { id: { [op]: id } };
  const value = (at as Record<string, unknown>)[sortField];
  return { OR: [{ [sortField]: { [op]: value } }, { [sortField]: value, id: { [op]: id } }] };
}

/** The event data an analyst reads first, inline (as timeline tools show it): the first few non-empty values. */
function keyData(data: Record<string, unknown>, limit = 4): [string, string][] {
  return Object.entries(data)
    .filter((e): e is [string, string] => typeof e[1] === "string" && e[1] !== "")
    .slice(0, limit)
    .map(([k, v]) => [k, v.length > 160 ? `${v.slice(0, 160)}…` : v]);
}
export type EventRow = Awaited<ReturnType<typeof listEvents>>["rows"][number];

/**
 * One stored event, every field, for its own page; null when there is none. `id` is the text of the URL: anything
 * but a bigint's digits is no event (never a database error).
 */
export async function getEvent(id: string) {
  const key = parseBigintId(id);
  if (key === null) return null;
  const event = await db().event.findFirst({
    where: { id: key },
    include: { upload: { select: { id: true, filename: true, format: true } } },
  });
  if (!event) return null;
  return { ...event, id: String(event.id), recordId: event.recordId === null ? null : String(event.recordId), data: event.data as Record<string, unknown> };
}
export type EventDetail = NonNullable<Awaited<ReturnType<typeof getEvent>>>;
