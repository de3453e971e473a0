// What a client component ("use client") imports goes to the browser: following its value imports (type-only imports
// are erased) must never reach the database modules, which need Node's `pg` — a production build then fails to
// resolve 'dns', 'net' and 'fs' (it happened once: the detection spec's schema imported the module that also turned
// Sigma rules into SQL). Server actions ("use server") are where it stops: the browser gets references to them. The
// imports are read with TypeScript's own parser.
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";

const ROOT = path.resolve(import.meta.dirname, "..");
/** Modules that hold a database connection or build SQL for one: server only. */
const SERVER_ONLY = ["lib/db/pg.ts", "lib/db/sql.ts", "lib/db/client.ts", "lib/db/transaction.ts"];

function files(dir: string): string[] {
  return readdirSync(path.join(ROOT, dir), { withFileTypes: true }).flatMap((e) => {
    const rel = `${dir}/${e.name}`;
    if (e.isDirectory()) return rel === "lib/db/generated" ? [] : files(rel);
    return /\.tsx?$/.test(e.name) && !/\.(test|spec)\.tsx?$/.test(e.name) ? [rel] : [];
  });
}

function resolve(from: string, specifier: string): string | null {
  const base = specifier.startsWith("@/") ? specifier.slice(2) : specifier.startsWith(".") ? path.posix.join(path.posix.dirname(from), specifier) : null;
  if (base === null) return null;
  return [base, `${base}.ts`, `${base}.tsx`, `${base}/index.ts`, `${base}/index.tsx`].find((c) => existsSync(path.join(ROOT, c)) && statSync(path.join(ROOT, c)).isFile()) ?? null;
}

/** The repository files `file` imports for their values (what a bundler follows). */
function valueImports(file: string): string[] {
  const source = ts.createSourceFile(file, readFileSync(path.join(ROOT, file), "utf8"), ts.ScriptTarget.Latest, false, file.endsWith("x") ? ts.ScriptKind.TSX : ts.ScriptKind.TS);
  const out: string[] = [];
  for (const node of source.statements) {
    let specifier: ts.Expression | undefined;
    if (ts.isImportDeclaration(node)) {
      const clause = node.importClause;
      const typeOnly = clause?.isTypeOnly || (clause && !clause.name && clause.namedBindings && ts.isNamedImports(clause.namedBindings) && clause.namedBindings.elements.length > 0 && clause.namedBindings.elements.every((e) => e.isTypeOnly));
      if (!typeOnly) specifier = node.moduleSpecifier;
    } else if (ts.isExportDeclaration(node) && !node.isTypeOnly) {
      specifier = node.moduleSpecifier;
    }
    const target = specifier && ts.isStringLiteral(specifier) ? resolve(file, specifier.text) : null;
    if (target) out.push(target);
  }
  return out;
}

const directive = (file: string, name: string) => new RegExp(`^\\s*(//[^\\n]*\\n\\s*)*["']${name}["']`).test(readFileSync(path.join(ROOT, file), "utf8"));
const isClientComponent = (file: string) => directive(file, "use client");
/** A "use server" module reaches the browser as references to its actions, not as code: its imports stay on the server. */
const isServerActions = (file: string) => directive(file, "use server");

describe("client components", () => {
  const clients = ["app", "components"].flatMap(files).filter(isClientComponent);

  it("are found", () => {
    expect(clients.length).toBeGreaterThan(5);
  });

  it("never reach the database modules through their imports", () => {
    const reached: string[] = [];
    for (const client of clients) {
      const seen = new Map<string, string>([[client, client]]);
      const queue = [client];
      while (queue.length) {
        const file = queue.shift()!;
        for (const next of valueImports(file)) {
          if (seen.has(next)) continue;
          seen.set(next, `${seen.get(file)} → ${next}`);
          if (!isServerActions(next)) queue.push(next);
        }
      }
      for (const serverOnly of SERVER_ONLY) if (seen.has(serverOnly)) reached.push(seen.get(serverOnly)!);
    }
    expect(reached).toEqual([]);
  });
});
