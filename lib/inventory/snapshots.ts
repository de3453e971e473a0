// Module-inventory snapshots (host_module_snapshots): stored one per uploaded inventory, read for the host page as
// the latest module list and the changes between consecutive snapshots.
import { execute, query, queryOne, sql, type Queryable } from "../db/sql";
import { imagePlace, type ImagePlace, type InventoryModule, type InventorySource, type ModuleInventory } from "./module-inventory";

/**
 * Stores a snapshot of `host`'s modules (creating the host if no event named it yet); inside the caller's transaction.
 * Neither form of inventory says when it was taken: the snapshot's time is its upload's (received_at).
 */
export async function storeModuleSnapshot(
  on: Queryable,
  snapshot: { host: string; uploadId: string; filename: string; inventory: ModuleInventory },
): Promise<void> {
  // Read first rather than as a subquery of the INSERT, which a distributed table's INSERT cannot have (Citus).
  const upload = await queryOne<{ received_at: Date }>(sql`SELECT COALESCE(received_at, now()) AS received_at FROM uploads WHERE id = ${snapshot.uploadId}::uuid`, on);
  await execute(sql`INSERT INTO hosts (id, name) VALUES (lower(${snapshot.host}), ${snapshot.host}) ON CONFLICT (id) DO NOTHING`, on);
  await execute(
    sql`INSERT INTO host_module_snapshots (host_id, upload_id, filename, source, taken_at, modules)
        VALUES (lower(${snapshot.host}), ${snapshot.uploadId}::uuid, ${snapshot.filename.slice(0, 500)}, ${snapshot.inventory.source},
                ${upload?.received_at ?? new Date()}, ${JSON.stringify(snapshot.inventory.modules)}::jsonb)`,
    on,
  );
}

export interface ListedModule extends InventoryModule {
  place: ImagePlace;
}

export interface ModuleChange {
  /** The snapshot that shows the change, and the one before it. */
  takenAt: Date;
  previousTakenAt: Date;
  filename: string;
  added: ListedModule[];
  removed: ListedModule[];
  imageChanged: { name: string; from: string; to: string; place: ImagePlace }[];
}

export interface HostModuleInventory {
  latest: { takenAt: Date; filename: string; source: InventorySource; modules: ListedModule[] } | null;
  snapshots: number;
  /** Newest first; only pairs that differ. */
  changes: ModuleChange[];
}

/** How many of a host's latest snapshots the page compares. */
const SNAPSHOTS_COMPARED = 50;

const listed = (m: InventoryModule): ListedModule => ({ ...m, place: imagePlace(m.image) });

/** What changed from one module list to the next; names and images compared without case, as Windows does. */
export function moduleChanges(before: InventoryModule[], after: InventoryModule[]): Pick<ModuleChange, "added" | "removed" | "imageChanged"> {
  const byName = (list: InventoryModule[]) => new Map(list.map((m) => [m.name.toLowerCase(), m]));
  const old = byName(before);
  const now = byName(after);
  return {
    added: after.filter((m) => !old.has(m.name.toLowerCase())).map(listed),
    removed: before.filter((m) => !now.has(m.name.toLowerCase())).map(listed),
    imageChanged: after.flatMap((m) => {
      const was = old.get(m.name.toLowerCase());
      return was && was.image.toLowerCase() !== m.image.toLowerCase() ? [{ name: m.name, from: was.image, to: m.image, place: imagePlace(m.image) }] : [];
    }),
  };
}

export async function hostModuleInventory(hostId: string): Promise<HostModuleInventory> {
  const rows = await query<{ taken_at: Date; filename: string; source: InventorySource; modules: InventoryModule[]; total: string }>(
    sql`SELECT taken_at, filename, source, modules, count(*) OVER () AS total FROM host_module_snapshots
        WHERE host_id = ${hostId} ORDER BY taken_at DESC, id DESC LIMIT ${SNAPSHOTS_COMPARED}`,
  );
  const changes: ModuleChange[] = [];
  for (let i = 0; i + 1 < rows.length; i++) {
    const [after, before] = [rows[i], rows[i + 1]];
    const diff = moduleChanges(before.modules, after.modules);
    if (diff.added.length + diff.removed.length + diff.imageChanged.length === 0) continue;
    changes.push({ takenAt: after.taken_at, previousTakenAt: before.taken_at, filename: after.filename, ...diff });
  }
  const latest = rows[0];
  return {
    latest: latest ? { takenAt: latest.taken_at, filename: latest.filename, source: latest.source, modules: latest.modules.map(listed) } : null,
    snapshots: latest ? Number(latest.total) : 0,
    changes,
  };
}

/** One row of ESCU's "Windows IIS Components Get-WebGlobalModule Module Query" over a host's snapshots. */
export interface ModuleQueryRow {
  dest: string;
  name: string;
  image: string;
  count: number;
  firstTime: Date;
  lastTime: Date;
}

/**
 * What the ESCU Hunting search `iis_get_webglobalmodule` | stats count min(_time) as firstTime max(_time) as lastTime
 * by host name image | rename host as dest` gives over this host's inventories, each module of a snapshot being one
 * of its Pwsh:InstalledIISModules events at the snapshot's time (the data source's scripted input runs
 * Get-WebGlobalModule on a schedule: one event per module per run). Splunk's `by` groups values as they are spelled.
 * Computed here rather than by the detection engine, which runs over `events` (see lib/inventory/README.md).
 */
export async function moduleQueryRows(hostId: string): Promise<ModuleQueryRow[]> {
  const rows = await query<{ dest: string; name: string; image: string; count: number; first_time: Date; last_time: Date }>(
    sql`SELECT * FROM (
          SELECT h.name AS dest, m->>'name' AS name, m->>'image' AS image, count(*)::int AS count, min(s.taken_at) AS first_time, max(s.taken_at) AS last_time
          FROM host_module_snapshots s JOIN hosts h ON h.id = s.host_id CROSS JOIN LATERAL jsonb_array_elements(s.modules) m
          WHERE s.host_id = ${hostId}
          GROUP BY h.name, m->>'name', m->>'image'
        ) r ORDER BY first_time, name COLLATE "C", image COLLATE "C"`,
  );
  return rows.map((r) => ({ dest: r.dest, name: r.name, image: r.image, count: r.count, firstTime: r.first_time, lastTime: r.last_time }));
}
