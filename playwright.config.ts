import { defineConfig } from "@playwright/test";

// The dashboard is started exactly as a user starts it (scripts/start.ts: migrations, build, next start) on
// E2E_DATABASE_URL (a scratch database prepared by scripts/test.ts), or on the embedded database in a fresh
// data directory when that is unset.
const PORT = Number(process.env.E2E_PORT ?? 3100);
const dataDir = process.env.E2E_DATA_DIR ?? `.data/e2e-${process.pid}`;

export default defineConfig({
  testDir: "./e2e",
  timeout: 60_000,
  expect: { timeout: 15_000 },
  retries: 0,
  workers: 1,
  reporter: [["list"], ["json", { outputFile: process.env.PLAYWRIGHT_JSON_OUTPUT_NAME ?? "test-results/e2e.json" }]],
  use: {
    baseURL: `http://127.0.0.1:${PORT}`,
    browserName: "chromium",
    headless: true,
    screenshot: "only-on-failure",
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
      args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"],
    },
  },
  // One dashboard serves every spec. The views walk checks each number against the database and loads the demo
  // fleet through the empty dashboard's own button, so it runs first, on the untouched database.
  projects: [
    { name: "views", testMatch: /views\.spec\.ts$/ },
    { name: "flows", testIgnore: /views\.spec\.ts$/, dependencies: ["views"] },
  ],
  webServer: {
    command: "node --import tsx scripts/start.ts",
    url: `http://127.0.0.1:${PORT}/api/health`,
    timeout: 240_000,
    reuseExistingServer: false,
    stdout: "pipe",
    env: {
      PORT: String(PORT),
      HOST: "127.0.0.1",
      IISWATCH_DATA_DIR: dataDir,
      // A trusted reverse proxy no browser is (e2e/security-headers.spec.ts connects from it to play the proxy).
      IISWATCH_TRUSTED_PROXIES: "127.0.0.2",
      ...(process.env.E2E_DATABASE_URL ? { DATABASE_URL: process.env.E2E_DATABASE_URL } : { DATABASE_URL: "" }),
    },
  },
});
