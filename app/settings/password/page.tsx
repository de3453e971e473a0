import type { Metadata } from "next";
import { requireUser } from "@/lib/auth/server";
import { PasswordForm } from "./PasswordForm";

export const metadata: Metadata = { title: "Password" };
export const dynamic = "force-dynamic";

export default async function PasswordPage() {
  const me = await requireUser("data:read");
  return (
    <>
      <h1>Password</h1>
      <p>
        Signed in as <strong>{me.username}</strong> ({me.role}).
      </p>
      <PasswordForm />
    </>
  );
}
