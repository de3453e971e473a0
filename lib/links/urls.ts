// Typed links: one builder per page of the dashboard, so that no link is spelled by hand. Path segments are encoded
// here (a host named "a/b?c#d%" is one segment), query values are written by the same encoder as every table's
// state, and a list page's builder takes that table's URL-state type: a link with a parameter the page does not
// read does not compile.
//
// Client components use these too: this module imports nothing from lib/ at run time but the query encoder (the
// state types are types only), so no server code follows it into the browser. It sits above every folder that
// defines a table.
import type { AuditFilter } from "../audit/queries";
import type { ResultListParams } from "../detections/result-list";
import type { HostListParams } from "../hosts/queries";
import type { EventListParams } from "../ingest/queries";
import type { NotableListParams, SuppressionListParams } from "../triage/fields";
import { encodeQuery } from "../url/table-state";
import type { RangeKey } from "../views/range";

type Id = string | number | bigint;

const segment = (id: Id) => encodeURIComponent(String(id));
/** A path and the query of some state ("?" only when there is one), absent values left out. */
const withQuery = (path: string, state: object = {}) => {
  const query = encodeQuery(state as Record<string, unknown>);
  return query ? `${path}?${query}` : path;
};

// ---- one thing's page -------------------------------------------------------------------------------------------

/** The query a host page reads: its time range (lib/views/range.ts) and whether suppressed results show. */
export interface HostPageQuery {
  range?: RangeKey;
  from?: Date;
  to?: Date;
  suppressed?: "show" | "hide";
}

/** A host's page; `id` is the host id (the lower-cased name, lib/hosts), not a dest as a result spells it. */
export const hostUrl = (id: string, query: HostPageQuery = {}) => withQuery(`/hosts/${segment(id)}`, query);
/** A host's 7-day risk drilldown, as of `at` (else the page's "as of" choice). */
export const riskUrl = (hostId: string, query: { at?: Date } = {}) => withQuery(`/risk/${segment(hostId)}`, query);
export const notableUrl = (id: Id) => `/notables/${segment(id)}`;
export const resultUrl = (id: Id) => `/results/${segment(id)}`;
export const eventUrl = (id: Id) => `/events/${segment(id)}`;
export const uploadUrl = (id: string) => `/uploads/${segment(id)}`;
export const detectionUrl = (id: string) => `/detections/${segment(id)}`;
/** A suppression's page; `saved` says so on it after the form that made it. */
export const suppressionUrl = (id: Id, query: { saved?: "created" } = {}) => withQuery(`/suppressions/${segment(id)}`, query);
/** The new-suppression form, pre-filled from a result or a notable, or for one detection. */
export const newSuppressionUrl = (from: { result: Id } | { notable: Id } | { detection: string } | Record<string, never> = {}) => withQuery("/suppressions/new", from);

// ---- list pages: each takes its table's state -------------------------------------------------------------------

export const hostsUrl = (state: Partial<HostListParams> = {}) => withQuery("/hosts", state);
export const eventsUrl = (state: Partial<EventListParams> = {}) => withQuery("/events", state);
export const notablesUrl = (state: Partial<NotableListParams> = {}) => withQuery("/notables", state);
export const suppressionsUrl = (state: Partial<SuppressionListParams> = {}) => withQuery("/suppressions", state);
export const resultsUrl = (state: Partial<ResultListParams> = {}) => withQuery("/results", state);
export const auditUrl = (state: Partial<AuditFilter> = {}) => withQuery("/audit", state);
/** Every audit entry the filter matches, as CSV: the view's page and size are left out, they do not apply. */
export const auditExportUrl = (view: Partial<AuditFilter> = {}) => withQuery("/api/audit/export", { ...view, page: undefined, size: undefined });
/** The uploads page; after a deletion it says what went (the file's name and how many events). */
export const uploadsUrl = (deleted?: { deleted: string; events: number }) => withQuery("/uploads", deleted);
