import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { userCount } from "@/lib/auth/users";
import { SetupForm } from "./SetupForm";

export const metadata: Metadata = { title: "First run" };
export const dynamic = "force-dynamic";

export default async function SetupPage() {
  if ((await userCount()) > 0) redirect("/login");
  return (
    <>
      <h1>Welcome to IIS Module Watch</h1>
      <p>There are no accounts yet. Create the first admin; you can add analysts and triagers afterwards under Users.</p>
      <p className="muted">
        From a shell instead: <code>npx iiswatch users create --admin &lt;username&gt;</code>
      </p>
      <SetupForm />
    </>
  );
}
