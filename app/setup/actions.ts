"use server";
// First run: the first admin account. Refused as soon as any account exists (lib/auth/users.ts holds a lock
// across the check and the insert, and audits it as "auth.setup").
import { redirect } from "next/navigation";
import { z } from "zod";
import { defineAction } from "@/lib/actions/define-action";
import { UserFacingError } from "@/lib/errors/user-facing-error";
import { login } from "@/lib/auth/login";
import { requestMeta, setSessionCookie } from "@/lib/auth/server";
import { setupFirstAdmin } from "@/lib/auth/users";

export const setupAction = defineAction({
  permission: "public",
  input: z
    .object({ username: z.string().default(""), password: z.string().default(""), confirm: z.string().default("") })
    .refine((f) => f.password === f.confirm, { path: ["confirm"], error: "The two passwords differ." }),
  audit: "lib",
  echo: (fields) => ({ username: fields.username ?? "" }),
  run: async ({ username, password }) => {
    const { address, userAgent } = await requestMeta();
    await setupFirstAdmin({ username, password }, { address });
    const result = await login({ username, password, address, userAgent });
    if (!result.ok) throw new UserFacingError(result.message);
    await setSessionCookie(result.token, result.maxAgeSeconds);
    redirect("/");
  },
});
