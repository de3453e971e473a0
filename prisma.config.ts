// Prisma 7 CLI configuration. The CLI is only used offline for `prisma generate`; migrations are applied by
// lib/db/migrate.ts. A user with internet access can still run `npx prisma migrate deploy` with this file.
import { defineConfig } from "prisma/config";

export default defineConfig({
  schema: "prisma/schema.prisma",
  migrations: { path: "prisma/migrations" },
  datasource: {
    url: process.env.DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/iiswatch",
  },
});
