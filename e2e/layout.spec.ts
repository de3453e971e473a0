// The main views at 1280 × 800, a common laptop screen: no page scrolls sideways, and host names are not broken in
// the middle of a word in the hosts table.
import { expect, test } from "@playwright/test";
import { signIn } from "./auth";

test.use({ viewport: { width: 1280, height: 800 } });

test("at 1280 × 800 the main views fit the width, and host names are whole", async ({ page }) => {
  await signIn(page);
  for (const path of ["/", "/hosts", "/notables", "/risk", "/events", "/uploads", "/detections"]) {
    await page.goto(path);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(overflow, `${path} scrolls sideways by ${overflow} px`).toBeLessThanOrEqual(0);
  }
  await page.goto("/hosts");
  const names = page.getByRole("table", { name: "Hosts" }).locator("a.host-name");
  await expect(names.first()).toBeVisible();
  // A name broken inside a word would have a line ending mid-word: every line of a name ends at a hyphen, a dot or its end.
  const broken = await names.evaluateAll((links) =>
    links.flatMap((a) => {
      const text = a.textContent ?? "";
      // The name's text node (inside the <bdi> that isolates it).
      const node = document.createTreeWalker(a, NodeFilter.SHOW_TEXT).nextNode();
      if (!node || node.textContent !== text) return [`${text}: not one text node`];
      const range = document.createRange();
      const lineEnds: number[] = [];
      let lastTop: number | null = null;
      for (let i = 0; i < text.length; i++) {
        range.setStart(node, i);
        range.setEnd(node, i + 1);
        const top = range.getBoundingClientRect().top;
        if (lastTop !== null && top > lastTop + 2) lineEnds.push(i - 1);
        lastTop = top;
      }
      return lineEnds.filter((i) => !"-.".includes(text[i])).map((i) => `${text} (after '${text.slice(0, i + 1)}')`);
    }),
  );
  expect(broken).toEqual([]);
  await page.goto(`/hosts/${await names.first().textContent().then((t) => encodeURIComponent((t ?? "").toLowerCase()))}`);
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  expect(overflow, "the host page scrolls sideways").toBeLessThanOrEqual(0);
});
