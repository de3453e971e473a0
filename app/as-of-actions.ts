"use server";
// The shared "as of" control (components/AsOf.tsx): keeps the analyst's choice in a cookie, so that overview,
// hosts, risk and the drilldown all end their windows there, and goes back to the page without a URL `at`.
import { cookies } from "next/headers";
import { redirect } from "next/navigation";
import { authorizeAction } from "@/lib/auth/server";
import { AS_OF_COOKIE, asOfChoice } from "@/lib/views/as-of";

export async function setAsOfAction(form: FormData): Promise<void> {
  await authorizeAction("data:read");
  const parsed = asOfChoice.safeParse(form.get("asOf") === "time" ? form.get("at") : form.get("asOf"));
  (await cookies()).set(AS_OF_COOKIE, parsed.success ? parsed.data : "auto", { httpOnly: true, sameSite: "lax", path: "/", maxAge: 30 * 86_400 });
  // Back where the analyst was, without a URL `at` (which would win over the choice just made).
  const back = String(form.get("back") ?? "/");
  const url = new URL(back.startsWith("/") && !back.startsWith("//") ? back : "/", "http://local");
  url.searchParams.delete("at");
  redirect(`${url.pathname}${url.search}`);
}
