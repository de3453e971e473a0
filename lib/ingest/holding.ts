// Which events an upload holds: those it stored (events.upload_id), those another upload had stored first that its
// merge found in its file (event_holders, one row per event), and — for an upload recognised as identical to an
// earlier one (reupload.ts) — whatever that upload holds (upload_aliases, one row for the whole upload: writing a
// holder row per event made a recognised re-upload of 300,000 events cost 18 % of reading it).
//
// An alias stores and holds nothing of its own, and the upload it is an alias of (its root) is never an alias
// itself: a re-upload of an alias becomes an alias of that alias's root. So "what upload U holds" is always
// "what root(U) holds directly". Deleting a root hands everything it holds to one of its aliases, which becomes the
// root of the others (handOverToAlias); deleting an alias removes only its row.
import type pg from "pg";
import { execute, queryOne, sql, type Sql } from "../db/sql";

/** SQL: the upload whose own rows (events.upload_id, event_holders) hold the events `uploadId` holds. */
export const holdingUpload = (uploadId: string): Sql =>
  sql`coalesce((SELECT a.alias_of FROM upload_aliases a WHERE a.upload_id = ${uploadId}::uuid), ${uploadId}::uuid)`;

/** SQL: the events `uploadId` holds — stored or held, itself or through the upload it is an alias of — as (host_id, time, id). */
export const eventsHeldBy = (uploadId: string): Sql =>
  sql`SELECT host_id, time, id FROM events WHERE upload_id = ${holdingUpload(uploadId)}
   UNION ALL SELECT host_id, event_time, event_id FROM event_holders WHERE upload_id = ${holdingUpload(uploadId)}`;

/**
 * Inside the caller's transaction (which holds the merge lock, shared, so that `earlierUploadId` cannot be deleted
 * half-way): makes `uploadId` hold what `earlierUploadId` holds, with one row. An alias of an alias is made an alias
 * of its root.
 */
export async function holdAsAliasOf(client: pg.ClientBase, uploadId: string, earlierUploadId: string): Promise<void> {
  await execute(sql`INSERT INTO upload_aliases (upload_id, alias_of) VALUES (${uploadId}::uuid, ${holdingUpload(earlierUploadId)})`, client);
}

/**
 * Inside a deletion's transaction (which holds the merge lock exclusively): if `uploadId` is the root of aliases,
 * the earliest alias becomes the root — everything `uploadId` holds (the events it stored, its holder rows) passes
 * to it, and the other aliases are made its aliases — so that deleting `uploadId` then removes nothing another
 * upload holds. Returns how many stored events passed, or null when it has no alias.
 *
 * The alias really holds them then, rather than staying an alias of something deleted: readers resolve one level
 * only, and the events keep an owner that exists.
 */
export async function handOverToAlias(client: pg.ClientBase, uploadId: string): Promise<number | null> {
  const heir = await queryOne<{ upload_id: string }>(
    sql`DELETE FROM upload_aliases WHERE upload_id = (
       SELECT upload_id FROM upload_aliases WHERE alias_of = ${uploadId}::uuid ORDER BY created_at, upload_id LIMIT 1)
     RETURNING upload_id::text`,
    client,
  );
  if (!heir) return null;
  const to = heir.upload_id;
  await execute(sql`UPDATE upload_aliases SET alias_of = ${to}::uuid WHERE alias_of = ${uploadId}::uuid`, client);
  await execute(sql`UPDATE event_holders SET upload_id = ${to}::uuid WHERE upload_id = ${uploadId}::uuid`, client);
  return execute(sql`UPDATE events SET upload_id = ${to}::uuid WHERE upload_id = ${uploadId}::uuid`, client);
}
