// One URL-state schema per table (every view is a URL): a table's filters, its sort and its page, read from the query
// string with the same bounds for every table. Whatever the URL carries — absent, garbage, NUL characters, huge
// numbers, repeated parameters — a value that cannot be used falls back to its default; parsing never throws, so a
// hostile link shows the table, not an error. A sort id that names no sortable column is such a value: the table
// shows in its default order, with the sort indicator on the default column, exactly as if no sort were given.
//
// The sortable column ids of a table are declared once, as a const list beside its query; the schema's `sort`, the
// table's sortable columns (components/data-table sortableColumns) and the query's ORDER BY map (a Record over the
// ids) are all typed from it, so a sortable column the query cannot order by, or an ORDER BY map missing an id, does
// not compile.
//
// This folder sits below every lib/ folder that defines a table (it needs only zod).
import { z } from "zod";

/** The page sizes every table offers (the "Rows per page" choice); any other size in a URL is the table's default. */
export const PAGE_SIZES = [10, 25, 50, 100, 200] as const;
export type PageSize = (typeof PAGE_SIZES)[number];
export const DEFAULT_PAGE_SIZE: PageSize = 50;
/** Past this page number a URL is garbage (an OFFSET that large would only be slow). */
export const MAX_PAGE = 100_000;

export const SORT_DIRECTIONS = ["asc", "desc"] as const;
export type SortDirection = (typeof SORT_DIRECTIONS)[number];

export interface SortDefinition<Sort extends string> {
  /** The table's sortable column ids. */
  ids: readonly [Sort, ...Sort[]];
  default: NoInfer<Sort>;
  /** Default direction: descending (newest, riskiest, most first) unless said otherwise. */
  dir?: SortDirection;
}

const sortShape = <Sort extends string>(sort: SortDefinition<Sort>) => ({
  sort: z.enum(sort.ids as readonly [Sort, ...Sort[]]).catch(sort.default as never),
  dir: z.enum(SORT_DIRECTIONS).catch(sort.dir ?? "desc"),
});

const pageShape = (defaultSize: PageSize) => ({
  page: z.coerce.number().int().min(1).max(MAX_PAGE).catch(1),
  size: z.coerce.number().pipe(z.literal(PAGE_SIZES)).catch(defaultSize),
});

type SortShape<Sort extends string> = ReturnType<typeof sortShape<Sort>>;
type PageShape = ReturnType<typeof pageShape>;

/**
 * A table's URL-state schema from its definition: its own filters first (each with its own `.catch`), then `sort`
 * and `dir` when it can be sorted, then `page` and `size` unless it is one unpaged list (`paged: false`). The keys
 * keep that order, which is the order links write them in.
 */
export function tableStateSchema<const Filters extends z.ZodRawShape, const Sort extends string>(table: {
  filters: Filters;
  sort: SortDefinition<Sort>;
  pageSize?: PageSize;
}): z.ZodObject<Filters & SortShape<Sort> & PageShape>;
export function tableStateSchema<const Filters extends z.ZodRawShape>(table: { filters: Filters; paged: false }): z.ZodObject<Filters>;
export function tableStateSchema<const Filters extends z.ZodRawShape>(table: { filters: Filters; pageSize?: PageSize }): z.ZodObject<Filters & PageShape>;
export function tableStateSchema(table: { filters: z.ZodRawShape; sort?: SortDefinition<string>; pageSize?: PageSize; paged?: false }) {
  return z.object({
    ...table.filters,
    ...(table.sort ? sortShape(table.sort) : {}),
    ...(table.paged === false ? {} : pageShape(table.pageSize ?? DEFAULT_PAGE_SIZE)),
  });
}

/** A value of a table's state as a query-string value: times as ISO text, nothing for absent or empty values. */
export function queryValue(value: unknown): string | undefined {
  if (value === undefined || value === null || value === "") return undefined;
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? undefined : value.toISOString();
  return String(value);
}

/**
 * The query string (without "?") of some state of a table, in the order its keys are given; absent values, and
 * values equal to `defaults` when given, are left out so that a link says only what differs from the default view.
 */
export function encodeQuery(state: Record<string, unknown>, defaults: Record<string, unknown> = {}): string {
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries(state)) {
    const text = queryValue(value);
    if (text === undefined || text === queryValue(defaults[key])) continue;
    query.set(key, text);
  }
  return query.toString();
}
