// @ts-check
/** @type {import('next').NextConfig} */
const nextConfig = {
  // Uploads stream to route handlers (no body limit there); server actions only carry small forms.
  // authInterrupts: pages answer 403 (forbidden()) to a signed-in user without the permission.
  experimental: { serverActions: { bodySizeLimit: "1mb" }, authInterrupts: true },
  poweredByHeader: false,
  // Event text is attacker-controlled: React escapes it, and the CSP forbids any script we did not ship.
  async headers() {
    return [
      {
        source: "/:path*",
        headers: [
          { key: "X-Content-Type-Options", value: "nosniff" },
          { key: "X-Frame-Options", value: "DENY" },
          { key: "Referrer-Policy", value: "same-origin" },
        ],
      },
    ];
  },
};

export default nextConfig;
