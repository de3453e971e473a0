// A data table's header row, one <th> a column: what SimpleTable and the pages' own tables write above their rows.
import type { ReactNode } from "react";

/** A `false` column (one this viewer does not get) has no cell; an empty string is a column without a heading. */
export function TableHead({ columns }: { columns: ReactNode[] }) {
  return (
    <thead>
      <tr>
        {columns
          .filter((c) => c !== false)
          .map((c, i) => (
            <th key={i}>{c}</th>
          ))}
      </tr>
    </thead>
  );
}
