import { describe, expect, it } from "vitest";
import { roleCan, ROLES, TOKEN_PERMISSIONS } from "./permissions";
import { clientAddress, isSameOrigin, readCookie, safeNextPath } from "./request";

const h = (init: Record<string, string>) => new Headers(init);

describe("isSameOrigin (CSRF check for cookie-authenticated route handlers)", () => {
  it("accepts the app's own origin", () => {
    expect(isSameOrigin(h({ host: "watch.local:3000", origin: "http://watch.local:3000" }))).toBe(true);
    expect(isSameOrigin(h({ host: "127.0.0.1", "x-forwarded-host": "watch.example", origin: "https://watch.example" }))).toBe(true);
    expect(isSameOrigin(h({ host: "watch.local", "sec-fetch-site": "same-origin" }))).toBe(true);
  });
  it("refuses other origins, opaque origins and requests that say nothing", () => {
    expect(isSameOrigin(h({ host: "watch.local:3000", origin: "http://evil.example" }))).toBe(false);
    expect(isSameOrigin(h({ host: "watch.local:3000", origin: "http://watch.local:3001" }))).toBe(false);
    expect(isSameOrigin(h({ host: "watch.local", origin: "null" }))).toBe(false);
    expect(isSameOrigin(h({ host: "watch.local", "sec-fetch-site": "cross-site" }))).toBe(false);
    expect(isSameOrigin(h({ host: "watch.local", "sec-fetch-site": "same-site" }))).toBe(false);
    expect(isSameOrigin(h({ host: "watch.local" }))).toBe(false);
    expect(isSameOrigin(h({ origin: "http://watch.local" }))).toBe(false);
  });
});

describe("request helpers", () => {
  it("reads the client address", () => {
    expect(clientAddress(h({ "x-forwarded-for": "10.1.2.3, 127.0.0.1" }))).toBe("10.1.2.3");
    expect(clientAddress(h({ "x-forwarded-for": "::ffff:127.0.0.1" }))).toBe("127.0.0.1");
    expect(clientAddress(h({}))).toBeNull();
  });
  it("reads a cookie", () => {
    expect(readCookie(h({ cookie: "a=1; iiswatch_session=abc%2Dd; b=2" }), "iiswatch_session")).toBe("abc-d");
    expect(readCookie(h({ cookie: "xiiswatch_session=1" }), "iiswatch_session")).toBeUndefined();
  });
  it("only returns to local paths after sign-in", () => {
    expect(safeNextPath("/events?host=a")).toBe("/events?host=a");
    for (const bad of ["https://evil.example/", "//evil.example", "/\\evil.example", "javascript:alert(1)", "/login", "", null, "/a\nb"]) {
      expect(safeNextPath(bad)).toBe("/");
    }
  });
});

describe("roles", () => {
  it("grow by inclusion: analyst ⊂ triager ⊂ admin", () => {
    expect(roleCan("analyst", "upload:create")).toBe(true);
    expect(roleCan("analyst", "notable:triage")).toBe(false);
    expect(roleCan("triager", "suppression:manage")).toBe(true);
    expect(roleCan("triager", "user:manage")).toBe(false);
    expect(roleCan("admin", "upload:delete")).toBe(true);
    expect(ROLES).toEqual(["analyst", "triager", "admin"]);
  });
  it("API tokens are limited to uploads and reads", () => {
    expect([...TOKEN_PERMISSIONS].sort()).toEqual(["data:read", "upload:create"]);
  });
});
