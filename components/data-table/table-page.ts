// One page of a server-sorted table, as a page component hands it to the table that shows it, and the DataTable
// props it makes: the tables of hosts, events and notables take the same six values and key rows by their id.
import type { SortDirection } from "@/lib/url/table-state";

/** The rows of one page, how many rows there are in all, and the URL state they answer (page, size, sort). */
export interface TablePage<Row, Sort extends string> {
  rows: Row[];
  total: number;
  page: number;
  size: number;
  sort: Sort;
  dir: SortDirection;
}

/** DataTable's props for such a page: its rows as the table's data, each row keyed by its id. */
export function tablePageProps<Row extends { id: string }, Sort extends string>({ rows, total, page, size, sort, dir }: TablePage<Row, Sort>) {
  return { data: rows, total, page, size, sort, dir, getRowId: (row: Row) => row.id };
}
