import { expect, test } from "@playwright/test";
import { E2E_ADMIN, signIn } from "./auth";

test("pages need a session; signing in returns to the page, signing out ends the session", async ({ page, context }) => {
  await page.goto("/events?host=web01");
  await expect(page).toHaveURL(/\/(login\?next=%2Fevents%3Fhost%3Dweb01|setup)$/);
  await signIn(page);

  const cookie = (await context.cookies()).find((c) => c.name === "iiswatch_session");
  expect(cookie).toMatchObject({ httpOnly: true, sameSite: "Lax", secure: false });

  await page.goto("/login?next=%2Fevents%3Fhost%3Dweb01");
  await expect(page).toHaveURL(/\/events\?host=web01$/);

  const stolen = cookie!.value;
  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/login$/);
  await page.goto("/uploads");
  await expect(page).toHaveURL(/\/login\?next=%2Fuploads$/);

  // The old cookie value is worthless once signed out: the session is gone on the server.
  await context.addCookies([{ ...cookie!, value: stolen }]);
  const res = await page.request.get("/api/uploads");
  expect(res.status()).toBe(401);
});

test("a wrong password is refused with a clear message", async ({ page }) => {
  await signIn(page); // make sure the admin exists (first run)
  await page.getByRole("button", { name: "Sign out" }).click();
  await page.getByLabel("Username").fill(E2E_ADMIN.username);
  await page.getByLabel("Password").fill("not the password");
  await page.getByRole("button", { name: "Sign in" }).click();
  // (Next.js's route announcer is an alert too: look inside the form.)
  await expect(page.getByRole("form", { name: "Sign in" }).getByRole("alert")).toHaveText("Wrong username or password.");
});

test("the API refuses anonymous calls and cross-origin cookie posts, and accepts a token", async ({ page, request, baseURL }) => {
  expect((await request.get("/api/uploads")).status()).toBe(401);
  await signIn(page);
  const cross = await page.request.post("/api/uploads?filename=x.txt", { data: "x", headers: { Origin: "http://evil.example" } });
  expect(cross.status()).toBe(403);

  await page.goto("/settings/tokens");
  await page.getByLabel("Name").fill("e2e");
  await page.getByRole("button", { name: "Create token" }).click();
  const token = (await page.getByTestId("new-token").innerText()).trim();
  expect(token).toMatch(/^iisw_/);
  const me = await request.get(`${baseURL}/api/auth/me`, { headers: { Authorization: `Bearer ${token}` } });
  expect(await me.json()).toMatchObject({ username: E2E_ADMIN.username, via: "token", permissions: ["data:read", "upload:create"] });

  await page.getByRole("button", { name: "Revoke e2e" }).click();
  await expect(page.getByRole("button", { name: "Revoke e2e" })).toHaveCount(0);
  expect((await request.get(`${baseURL}/api/auth/me`, { headers: { Authorization: `Bearer ${token}` } })).status()).toBe(401);
});
