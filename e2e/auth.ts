// Signing in for end-to-end tests, through the product's own pages: on a fresh database the first visit lands on
// the first-run setup page and creates the admin; afterwards it signs in. No test-only backdoor.
import { expect, type Page } from "@playwright/test";

export const E2E_ADMIN = { username: "e2e-admin", password: "e2e admin passphrase 1" };

export async function signIn(page: Page, who = E2E_ADMIN): Promise<void> {
  await page.goto("/login");
  if (new URL(page.url()).pathname === "/setup") {
    await page.getByLabel("Admin username").fill(who.username);
    await page.getByLabel(/^Password \(at least/).fill(who.password);
    await page.getByLabel("Password again").fill(who.password);
    await page.getByRole("button", { name: "Create admin and sign in" }).click();
  } else {
    await page.getByLabel("Username").fill(who.username);
    await page.getByLabel("Password").fill(who.password);
    await page.getByRole("button", { name: "Sign in" }).click();
  }
  await expect(page.getByTestId("current-user")).toContainText(who.username);
}
