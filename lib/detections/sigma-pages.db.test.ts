// The Sigma rules on the pages: the catalogue lists each with its source ("Sigma", status, date, commit), and a
// rule's page names its authors, its published URL and its licence (DRL 1.1 asks views of matches to keep them).
import { beforeAll, describe, expect, it, vi } from "vitest";

vi.mock("next/headers", async () => (await import("../../tests/next-request")).headersModule);
vi.mock("next/navigation", async (original) => ({
  ...(await original<typeof import("next/navigation")>()),
  useRouter: () => ({ push() {}, replace() {}, refresh() {}, prefetch() {}, back() {} }),
  usePathname: () => "/",
  useSearchParams: () => new URLSearchParams(),
}));

const { resetDatabase } = await import("../../tests/db-setup");
const { setRequest, renderPage } = await import("../../tests/next-request");
const { signedInUser } = await import("../../tests/support/accounts");
const { DETECTION_SPECS } = await import("./specs");

const html = async (page: string, params: Record<string, string> = {}) => {
  const r = await renderPage(await import(/* @vite-ignore */ `../../${page}`), params, {});
  if (!("html" in r)) throw new Error(`${page} did not render: ${JSON.stringify(r)}`);
  return r.html.replaceAll("<!-- -->", "");
};

beforeAll(async () => {
  await resetDatabase();
  const { cookies } = await signedInUser("analyst1", "analyst", "sigma pages passphrase 1");
  setRequest(cookies, { host: "iiswatch.test", "x-forwarded-for": "192.0.2.10" });
});

describe("Sigma rules on the pages", () => {
  const sigma = DETECTION_SPECS.filter((s) => s.sigma);

  it("lists each in the catalogue with its source", async () => {
    const page = await html("app/detections/page.tsx");
    expect(sigma).toHaveLength(7);
    for (const spec of sigma) {
      expect(page).toContain(spec.name);
      expect(page).toContain(`Sigma ${spec.sigma!.status} (${spec.date}) @8eaafff1`);
    }
    expect(page).toContain("Sigma test (2024-10-06) @8eaafff1");
  });

  it("names the rule's authors, its URL and its licence on its page", async () => {
    const spec = sigma.find((s) => s.name === "Suspicious IIS Module Registration")!;
    const page = await html("app/detections/[id]/page.tsx", { id: spec.id });
    expect(page).toContain("by Florian Roth (Nextron Systems), Microsoft (idea), level high, status test");
    expect(page).toContain(`href="${spec.sigma!.ruleUrl}"`);
    expect(page).toContain("Detection Rule License 1.1");
    // The rule's own logic, shown where an ESCU search would be.
    expect(page).toContain('aria-label="Sigma detection"');
    expect(page).toContain("condition: selection_parent and 1 of selection_cli_*");
  });
});
