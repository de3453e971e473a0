// Runs once when the Next.js server starts. The web server only receives uploads and serves pages: uploads are
// processed, and the detections run, by worker processes (`npm start` starts them beside it; `iiswatch worker`
// runs more), so parsing never competes with readers on this process's event loop.
export async function register() {
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  // X-Forwarded-* only from IISWATCH_TRUSTED_PROXIES: must see every request's socket before Next.js does.
  const { installForwardedGuard } = await import("./lib/auth/forwarded-guard");
  installForwardedGuard();
  // Started by `npm start` (scripts/start.ts): if it goes away without stopping us — killed with SIGKILL — do not
  // stay behind holding the port.
  if (process.env.IISWATCH_EXIT_WITH_PARENT === "1") {
    const parent = process.ppid;
    const watch = setInterval(() => {
      if (process.ppid !== parent) process.exit(0);
    }, 1000);
    watch.unref();
  }
}
