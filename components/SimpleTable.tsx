// A plain, labelled, server-rendered table: headers, one array of cells per row, and a message when empty.
// (Interactive tables — sorting and pagination in the URL — use data-table/DataTable.)
import type { ReactNode } from "react";
import { TableHead } from "./TableHead";

export interface SimpleRow {
  key: string;
  cells: ReactNode[];
  className?: string;
  testId?: string;
}

export function SimpleTable({ label, headers, rows, empty }: { label: string; headers: ReactNode[]; rows: SimpleRow[]; empty?: ReactNode }) {
  return (
    <div className="table-scroll">
      <table className="data" aria-label={label}>
        <TableHead columns={headers} />
        <tbody>
          {rows.map((r) => (
            <tr key={r.key} className={r.className} data-testid={r.testId}>
              {r.cells.map((c, i) => (
                <td key={i}>{c}</td>
              ))}
            </tr>
          ))}
          {rows.length === 0 && empty !== undefined && (
            <tr>
              <td colSpan={headers.length} className="muted">
                {empty}
              </td>
            </tr>
          )}
        </tbody>
      </table>
    </div>
  );
}
