"use client";
// A server-driven TanStack table: sorting and pagination live in the URL (?sort=&dir=&page=&size=), the
// server page reads them, queries the database and hands over one page of rows. Any view is a shareable link.
import {
  functionalUpdate,
  rowPaginationFeature,
  rowSortingFeature,
  tableFeatures,
  useTable,
  type ColumnDef,
  type PaginationState,
  type RowData,
  type SortingState,
  type Updater,
} from "@tanstack/react-table";
import { usePathname, useRouter, useSearchParams } from "next/navigation";
import { useTransition } from "react";
import { PAGE_SIZES, type SortDirection } from "@/lib/url/table-state";

export const dataTableFeatures = tableFeatures({ rowSortingFeature, rowPaginationFeature });
export type DataTableFeatures = typeof dataTableFeatures;

/**
 * The way a table declares its sortable columns: `sortable(id, column)` with `id` one of the table's sortable ids
 * (the const list its URL-state schema and its ORDER BY map are typed from), so a column the server cannot sort by
 * does not compile as a sortable one. Every column not declared so is not sortable. Call it with the table's sort
 * type: without one every id is refused.
 */
export function sortableColumns<Sort extends string = never>() {
  return <Column extends object>(id: Sort, column: Column): Column => ({ ...column, id, enableSorting: true });
}

interface Props<Row extends RowData, Sort extends string> {
  label: string;
  columns: ColumnDef<DataTableFeatures, Row>[];
  data: Row[];
  total: number;
  page: number;
  size: number;
  /** The sort the rows are in: the indicator shows on that column, and only there. */
  sort: Sort;
  dir: SortDirection;
  getRowId?: (row: Row) => string;
  empty?: React.ReactNode;
  /**
   * Optional row selection (for bulk actions): a checkbox column first, the selected row ids held by the caller.
   * Needs getRowId. Tables that do not pass it are unchanged.
   */
  selection?: { selected: ReadonlySet<string>; onChange: (selected: Set<string>) => void; rowLabel?: (row: Row) => string };
  /**
   * Keyset pagination (?after=/?before= cursors from the server) instead of page numbers, for tables so large that
   * an OFFSET would slow down with the page number: the cursors of the previous and next pages, and what to say.
   */
  keyset?: { previous: string | null; next: string | null; summary: string };
}

export function DataTable<Row extends RowData, Sort extends string>({ label, columns, data, total, page, size, sort, dir, getRowId, empty, selection, keyset }: Props<Row, Sort>) {
  const router = useRouter();
  const pathname = usePathname();
  const searchParams = useSearchParams();
  const [pending, startTransition] = useTransition();

  const sorting: SortingState = [{ id: sort, desc: dir === "desc" }];
  const pagination: PaginationState = { pageIndex: page - 1, pageSize: size };

  const navigate = (change: Record<string, string>) => {
    const params = new URLSearchParams(searchParams.toString());
    for (const [k, v] of Object.entries(change)) {
      if (v === "") params.delete(k);
      else params.set(k, v);
    }
    // A keyset table starts again from its first page when its sort or size changes.
    if (keyset && !("after" in change) && !("before" in change)) {
      params.delete("after");
      params.delete("before");
    }
    startTransition(() => router.push(`${pathname}?${params.toString()}`, { scroll: false }));
  };

  const table = useTable({
    features: dataTableFeatures,
    // Only the columns declared with sortableColumns() sort: the server has an ORDER BY for those alone.
    columns: columns.map((column) => (column.enableSorting === true ? column : { ...column, enableSorting: false })),
    data,
    getRowId,
    rowCount: total,
    manualSorting: true,
    manualPagination: true,
    enableSortingRemoval: false,
    state: { sorting, pagination },
    onSortingChange: (updater: Updater<SortingState>) => {
      const next = functionalUpdate(updater, sorting)[0];
      if (next) navigate({ sort: next.id, dir: next.desc ? "desc" : "asc", page: "1" });
    },
    onPaginationChange: (updater: Updater<PaginationState>) => {
      const next = functionalUpdate(updater, pagination);
      navigate({ page: String(next.pageIndex + 1), size: String(next.pageSize) });
    },
  });

  const pages = Math.max(1, Math.ceil(total / size));
  const pageIds = selection && getRowId ? data.map((row) => getRowId(row)) : [];
  const allOnPage = pageIds.length > 0 && pageIds.every((id) => selection!.selected.has(id));
  const toggle = (ids: string[], on: boolean) => {
    const next = new Set(selection!.selected);
    for (const id of ids) {
      if (on) next.add(id);
      else next.delete(id);
    }
    selection!.onChange(next);
  };
  return (
    <div aria-busy={pending}>
      {/* A wide table scrolls on its own; the page never scrolls sideways. */}
      <div className="table-scroll">
        <table className="data" aria-label={label}>
          <thead>
            {table.getHeaderGroups().map((group) => (
              <tr key={group.id}>
                {selection && (
                  <th>
                    <input type="checkbox" aria-label="Select all rows on this page" checked={allOnPage} onChange={(e) => toggle(pageIds, e.target.checked)} />
                  </th>
                )}
                {group.headers.map((header) => {
                  const sorted = header.column.getIsSorted();
                  return (
                    <th key={header.id} aria-sort={sorted === "asc" ? "ascending" : sorted === "desc" ? "descending" : undefined}>
                      {header.column.getCanSort() ? (
                        <button type="button" onClick={header.column.getToggleSortingHandler()}>
                          <table.FlexRender header={header} />
                          {sorted === "asc" ? " ▲" : sorted === "desc" ? " ▼" : ""}
                        </button>
                      ) : (
                        <table.FlexRender header={header} />
                      )}
                    </th>
                  );
                })}
              </tr>
            ))}
          </thead>
          <tbody>
            {table.getRowModel().rows.map((row) => (
              <tr key={row.id}>
                {selection && (
                  <td>
                    <input
                      type="checkbox"
                      aria-label={`Select ${selection.rowLabel ? selection.rowLabel(row.original) : row.id}`}
                      checked={selection.selected.has(row.id)}
                      onChange={(e) => toggle([row.id], e.target.checked)}
                    />
                  </td>
                )}
                {row.getAllCells().map((cell) => (
                  <td key={cell.id}>
                    <table.FlexRender cell={cell} />
                  </td>
                ))}
              </tr>
            ))}
            {data.length === 0 && (
              <tr>
                <td colSpan={columns.length + (selection ? 1 : 0)} className="muted">
                  {empty ?? "Nothing to show."}
                </td>
              </tr>
            )}
          </tbody>
        </table>
      </div>
      <nav className="pager" aria-label={`${label} pages`}>
        {keyset ? (
          <>
            <button type="button" onClick={() => navigate({ before: keyset.previous ?? "", after: "" })} disabled={!keyset.previous}>
              ← Previous
            </button>
            <span>{keyset.summary}</span>
            <button type="button" onClick={() => navigate({ after: keyset.next ?? "", before: "" })} disabled={!keyset.next}>
              Next →
            </button>
          </>
        ) : (
          <>
            <button type="button" onClick={() => table.previousPage()} disabled={page <= 1}>
              ← Previous
            </button>
            <span>
              Page {page} of {pages} · {total.toLocaleString()} rows
            </span>
            <button type="button" onClick={() => table.nextPage()} disabled={page >= pages}>
              Next →
            </button>
          </>
        )}
        <label className="muted">
          Rows per page{" "}
          <select value={size} onChange={(e) => table.setPageSize(Number(e.target.value))}>
            {PAGE_SIZES.map((n) => (
              <option key={n} value={n}>
                {n}
              </option>
            ))}
          </select>
        </label>
      </nav>
    </div>
  );
}
