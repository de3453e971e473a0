// Database tests get their own scratch database: a fresh one on the server DATABASE_URL names, or an embedded
// in-memory PGlite when it is unset. Either way, migrations are applied exactly as at app start.
import type { TestProject } from "vitest/node";
import { createScratchDatabase } from "../lib/db/scratch";

declare module "vitest" {
  export interface ProvidedContext {
    databaseUrl: string;
    databaseKind: string;
  }
}

export default async function setup(project: TestProject) {
  const scratch = await createScratchDatabase("vitest");
  project.provide("databaseUrl", scratch.url);
  project.provide("databaseKind", scratch.kind);
  console.log(`database tests run on ${scratch.kind === "postgres" ? "PostgreSQL (DATABASE_URL's server)" : "the embedded PGlite"}`);
  return () => scratch.drop();
}
