"use server";
// The shared "as of" control (components/AsOf.tsx): keeps the analyst's choice in a cookie, so that overview,
// hosts, risk and the drilldown all end their windows there, and goes back to the page without a URL `at`.
import { cookies } from "next/headers";
import { redirect } from "next/navigation";
import { z } from "zod";
import { defineFormAction } from "@/lib/actions/define-action";
import { AS_OF_COOKIE, asOfChoice } from "@/lib/views/as-of";

export const setAsOfAction = defineFormAction({
  permission: "data:read",
  // Never refused: a choice that is not one falls back to "auto", an unusable `back` to the overview.
  input: z.object({ asOf: z.string().optional(), at: z.string().optional(), back: z.string().default("/") }),
  // A preference of this browser's, like a sort order: nothing shared changes.
  audit: "read-only",
  run: async ({ asOf, at, back }) => {
    const parsed = asOfChoice.safeParse(asOf === "time" ? at : asOf);
    (await cookies()).set(AS_OF_COOKIE, parsed.success ? parsed.data : "auto", { httpOnly: true, sameSite: "lax", path: "/", maxAge: 30 * 86_400 });
    // Back where the analyst was, without a URL `at` (which would win over the choice just made).
    const url = new URL(back.startsWith("/") && !back.startsWith("//") ? back : "/", "http://local");
    url.searchParams.delete("at");
    redirect(`${url.pathname}${url.search}`);
  },
});
