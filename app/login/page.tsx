import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { safeNextPath } from "@/lib/auth/request";
import { getCurrentUser } from "@/lib/auth/server";
import { userCount } from "@/lib/auth/users";
import { LoginForm } from "./LoginForm";

export const metadata: Metadata = { title: "Sign in" };
export const dynamic = "force-dynamic";

export default async function LoginPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const next = safeNextPath((await searchParams).next);
  if (await getCurrentUser()) redirect(next);
  if ((await userCount()) === 0) redirect("/setup");
  return (
    <>
      <h1>Sign in</h1>
      <LoginForm next={next} />
    </>
  );
}
