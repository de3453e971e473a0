// @ts-check
/** @type {import('next').NextConfig} */
const nextConfig = {
  // Uploads stream to route handlers (no body limit there); server actions only carry small forms.
  // authInterrupts: pages answer 403 (forbidden()) to a signed-in user without the permission.
  experimental: { serverActions: { bodySizeLimit: "1mb" }, authInterrupts: true },
  poweredByHeader: false,
  // Security headers on every response. Pages get their Content-Security-Policy from proxy.ts (a nonce per
  // request for Next.js's scripts); what proxy.ts does not match — /api, /services/collector, /_next assets, the icon — gets the
  // strictest one here (nothing loads, nothing frames it). Two CSP headers on one response would both apply, so
  // the two lists must not overlap: keep NOT_PROXIED in step with proxy.ts's matcher.
  async headers() {
    const common = [
      { key: "X-Content-Type-Options", value: "nosniff" },
      // Older browsers' frame-ancestors.
      { key: "X-Frame-Options", value: "DENY" },
      { key: "Referrer-Policy", value: "same-origin" },
      { key: "Permissions-Policy", value: "camera=(), microphone=(), geolocation=(), payment=(), usb=(), display-capture=()" },
    ];
    const strict = { key: "Content-Security-Policy", value: "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'" };
    const NOT_PROXIED = ["/api/:path+", "/services/collector", "/services/collector/:path+", "/_bulk", "/_license", "/:index/_bulk", "/_next/:path+", "/favicon.ico", "/icon.svg", "/robots.txt"];
    return [{ source: "/:path*", headers: common }, ...NOT_PROXIED.map((source) => ({ source, headers: [strict] }))];
  },
  // The Elasticsearch subset Beats speak (lib/hec/elastic.ts) at the paths Beats use. `/` is the dashboard's overview
  // for a browser; a request there with credentials in an Authorization header, no session cookie and no page asked
  // for (Accept without text/html) is a Beat (proxy.ts lets it through for this rewrite, with the same test).
  async rewrites() {
    return {
      beforeFiles: [
        {
          source: "/",
          has: [{ type: "header", key: "authorization" }],
          missing: [
            { type: "cookie", key: "iiswatch_session" },
            { type: "header", key: "accept", value: ".*text/html.*" },
          ],
          destination: "/api/elastic",
        },
        { source: "/_license", destination: "/api/elastic/license" },
        { source: "/_bulk", destination: "/api/elastic/bulk" },
        { source: "/:index/_bulk", destination: "/api/elastic/bulk?index=:index" },
      ],
    };
  },
};

export default nextConfig;
