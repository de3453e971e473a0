import type { Metadata } from "next";
import Link from "next/link";
import { logoutAction } from "@/app/login/actions";
import { can, getCurrentUser } from "@/lib/auth/server";
import type { Permission } from "@/lib/auth/permissions";
import { TimeZoneProvider, TimeZoneSwitch } from "@/components/time/TimeZone";
import "./globals.css";

export const metadata: Metadata = {
  title: { default: "IIS Module Watch", template: "%s · IIS Module Watch" },
  description: "Catch malicious IIS modules (T1505.004) in Windows event logs.",
};

const NAV: { href: string; label: string; permission: Permission }[] = [
  { href: "/", label: "Overview", permission: "data:read" },
  { href: "/hosts", label: "Hosts", permission: "data:read" },
  { href: "/notables", label: "Notables", permission: "data:read" },
  { href: "/risk", label: "Risk", permission: "data:read" },
  { href: "/results", label: "Results", permission: "data:read" },
  { href: "/detections", label: "Detections", permission: "data:read" },
  { href: "/suppressions", label: "Suppressions", permission: "data:read" },
  { href: "/events", label: "Events", permission: "data:read" },
  { href: "/uploads", label: "Uploads", permission: "data:read" },
  { href: "/audit", label: "Audit log", permission: "audit:read" },
  { href: "/admin/users", label: "Users", permission: "user:manage" },
  { href: "/admin/storage", label: "Storage", permission: "settings:manage" },
  { href: "/admin/hec", label: "HEC tokens", permission: "user:manage" },
];

export default async function RootLayout({ children }: { children: React.ReactNode }) {
  // Navigation only hides what the server would refuse anyway: every page checks for itself.
  const user = await getCurrentUser();
  return (
    <html lang="en">
      <body>
        <TimeZoneProvider>
          <a className="skip-link" href="#main">
            Skip to content
          </a>
          <header className="topbar">
            <Link href="/" className="brand">
              IIS Module Watch
            </Link>
            {user && (
              <nav aria-label="Main">
                <ul>
                  {NAV.filter((item) => can(user, item.permission)).map((item) => (
                    <li key={item.href}>
                      <Link href={item.href}>{item.label}</Link>
                    </li>
                  ))}
                </ul>
              </nav>
            )}
            {user && (
              <nav aria-label="Account" style={{ marginLeft: "auto" }}>
                <ul style={{ alignItems: "center" }}>
                  <li>
                    <TimeZoneSwitch />
                  </li>
                  <li data-testid="current-user">
                    {user.username} ({user.role})
                  </li>
                  <li>
                    <Link href="/settings/tokens">API tokens</Link>
                  </li>
                  <li>
                    <Link href="/settings/password">Password</Link>
                  </li>
                  <li>
                    <form action={logoutAction}>
                      <button type="submit">Sign out</button>
                    </form>
                  </li>
                </ul>
              </nav>
            )}
          </header>
          <main id="main">{children}</main>
        </TimeZoneProvider>
      </body>
    </html>
  );
}
