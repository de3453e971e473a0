// CSV for the audit export (RFC 4180, CRLF rows, every cell quoted). Cells that a spreadsheet would run as a
// formula — starting with = + - @ (or tab / carriage return), also after leading spaces — get a leading
// apostrophe, so a hostile value such as `=HYPERLINK(...)` reads as text (OWASP "CSV injection").

const FORMULA_START = /^[\s]*[=+\-@\t\r]/;

export function neutraliseFormula(text: string): string {
  return FORMULA_START.test(text) ? `'${text}` : text;
}

function cellText(value: unknown): string {
  if (value === null || value === undefined) return "";
  if (value instanceof Date) return value.toISOString();
  if (typeof value === "bigint") return value.toString();
  if (typeof value === "object") return JSON.stringify(value, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v));
  return String(value);
}

export function csvCell(value: unknown): string {
  return `"${neutraliseFormula(cellText(value)).replaceAll('"', '""')}"`;
}

export function csvRow(values: readonly unknown[]): string {
  return values.map(csvCell).join(",") + "\r\n";
}
