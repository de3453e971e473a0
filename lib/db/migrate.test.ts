// Migrations go to the server one statement per call (Citus refuses several DDL statements in one query string), so
// the split must follow PostgreSQL's own reading: a semicolon in a string, a comment or a function body is no end.
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { migrationStatements } from "./migrate";

const MIGRATIONS = path.resolve(import.meta.dirname, "../../prisma/migrations");

describe("migrationStatements", () => {
  it("ends a statement only where PostgreSQL does", () => {
    const script = `-- a comment; not a statement
CREATE FUNCTION f() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'no; never'; END $$;
INSERT INTO t VALUES ('a;b', 'c'';d'); /* block; comment */
SELECT 1`;
    expect(migrationStatements(script)).toEqual([
      "-- a comment; not a statement\nCREATE FUNCTION f() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'no; never'; END $$",
      "INSERT INTO t VALUES ('a;b', 'c'';d')",
      "/* block; comment */\nSELECT 1",
    ]);
  });

  it("gives every migration as whole statements, none empty or only a comment", () => {
    const dirs = fs.readdirSync(MIGRATIONS, { withFileTypes: true }).filter((d) => d.isDirectory());
    expect(dirs.length).toBeGreaterThan(10);
    for (const dir of dirs) {
      const statements = migrationStatements(fs.readFileSync(path.join(MIGRATIONS, dir.name, "migration.sql"), "utf8"));
      expect(statements.length, dir.name).toBeGreaterThan(0);
      for (const s of statements) {
        const code = s.replace(/--[^\n]*/g, "").replace(/\/\*[\s\S]*?\*\//g, "").trim();
        expect(code, `${dir.name}: ${s.slice(0, 80)}`).toMatch(/^(CREATE|ALTER|DROP|INSERT|UPDATE|DELETE|SELECT|WITH|COMMENT|DO)\b/i);
      }
    }
  });
});
