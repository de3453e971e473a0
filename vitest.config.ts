import { defineConfig } from "vitest/config";
import path from "node:path";

// Unit tests (`*.test.ts`) run in parallel; database tests (`*.db.test.ts`) share one real Postgres
// (DATABASE_URL) or an embedded PGlite started by the global setup, so they run one file at a time.
export default defineConfig({
  resolve: { alias: { "@": path.resolve(import.meta.dirname) } },
  test: {
    projects: [
      {
        extends: true,
        test: { name: "unit", include: ["lib/**/*.test.ts", "scripts/**/*.test.ts", "tests/**/*.test.ts"], exclude: ["**/*.db.test.ts", "**/*.fault.test.ts", "node_modules/**"] },
      },
      {
        extends: true,
        test: {
          name: "db",
          include: ["lib/**/*.db.test.ts", "tests/**/*.db.test.ts"],
          globalSetup: ["tests/db-global-setup.ts"],
          setupFiles: ["tests/db-setup.ts"],
          fileParallelism: false,
          // What next.config.js's experimental.authInterrupts sets for the server: pages call forbidden().
          env: { __NEXT_EXPERIMENTAL_AUTH_INTERRUPTS: "true" },
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
      {
        // Fault tests (`tests/faults/*.fault.test.ts`): the whole stack started as `npm start` starts it, its
        // processes killed, on scratch databases of DATABASE_URL's PostgreSQL server (they skip without one).
        // One file at a time: each runs real servers on a two-core budget. The first start may build the app.
        extends: true,
        test: {
          name: "faults",
          include: ["tests/faults/**/*.fault.test.ts"],
          globalSetup: ["tests/faults/global-setup.ts"],
          fileParallelism: false,
          testTimeout: 600_000,
          hookTimeout: 300_000,
        },
      },
    ],
  },
});
