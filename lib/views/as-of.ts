// The "as of" time shared by the time-window views (overview, hosts, risk, the 7-day drilldown): where their risk
// windows end. A URL's `?at=` (a shareable view) wins; otherwise the analyst's choice, kept in a cookie so that
// every view follows it; otherwise automatic: now, or the latest data when the data is historical (referenceTime).
import { cookies } from "next/headers";
import { z } from "zod";
import { referenceTime, type ReferenceTime } from "./reference";

export const AS_OF_COOKIE = "iiswatch_as_of";

/** What an analyst may choose: "auto" (now, or the latest data when it is historical), "now", or an ISO time. */
export const asOfChoice = z.union([
  z.enum(["auto", "now"]),
  z
    .string()
    .trim()
    .max(40)
    .refine((v) => /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?Z?$/.test(v) && !Number.isNaN(Date.parse(v.endsWith("Z") ? v : `${v}Z`)))
    .transform((v) => new Date(v.endsWith("Z") ? v : `${v}Z`).toISOString()),
]);

/** The view's reference time: the URL's `at`, else the cookie's choice, else automatic. */
export async function asOf(query: Record<string, string | string[] | undefined>, latest: Date | null, windowHours: number): Promise<ReferenceTime & { choice: string }> {
  const fromUrl = typeof query.at === "string" ? asOfChoice.safeParse(query.at) : null;
  const fromCookie = asOfChoice.safeParse((await cookies()).get(AS_OF_COOKIE)?.value ?? "auto");
  const choice = fromUrl?.success ? fromUrl.data : fromCookie.success ? fromCookie.data : "auto";
  return { ...referenceTime(choice === "auto" ? undefined : choice, latest, windowHours), choice };
}
