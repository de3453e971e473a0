// The layering the code keeps (README "Architecture"): lib/ has one folder per step of the data flow above lib/db,
// and a folder may use the folders below it but never one above, so no two lib/ folders depend on each other,
// however indirectly. Production code (lib/, components/, app/) never reaches into the pages (app/) from below or
// into test code, and everything under lib/ is used by the product: helpers only tests need live in tests/support/,
// so nobody mistakes them for product code and they cannot drift back. The imports are read with TypeScript's own
// scanner (ts.preProcessFile: import, export … from, import type, dynamic import()), `@/` and relative paths
// resolved as tsconfig's paths and the bundler resolve them.
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";

const ROOT = path.resolve(import.meta.dirname, "..");
const SOURCE_DIRS = ["app", "components", "lib", "scripts", "tests", "e2e"];
/** Not ours to layer: dependencies, build output, and Prisma's generated client. */
const SKIPPED = new Set(["node_modules", ".next", "lib/db/generated", "tests/fixtures", "test-results"]);
const SOURCE_FILE = /\.(ts|tsx|mts)$/;

/** Repository-relative paths (forward slashes) of every TypeScript source file we wrote. */
function sourceFiles(): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(path.join(ROOT, dir), { withFileTypes: true })) {
      const rel = dir ? `${dir}/${entry.name}` : entry.name;
      if (SKIPPED.has(rel) || SKIPPED.has(entry.name)) continue;
      if (entry.isDirectory()) {
        if (dir || SOURCE_DIRS.includes(entry.name)) walk(rel);
      } else if (SOURCE_FILE.test(entry.name) && !entry.name.endsWith(".d.ts")) {
        out.push(rel);
      }
    }
  };
  walk("");
  return out.sort();
}

function isFile(rel: string): boolean {
  const abs = path.join(ROOT, rel);
  return existsSync(abs) && statSync(abs).isFile();
}

/** Where an import specifier points in the repository, or null for a package. Unresolvable paths keep their spelling. */
function resolveImport(from: string, specifier: string): string | null {
  let base: string;
  if (specifier.startsWith("@/")) base = specifier.slice(2);
  else if (specifier.startsWith(".")) base = path.posix.normalize(path.posix.join(path.posix.dirname(from), specifier));
  else return null;
  for (const candidate of [base, `${base}.ts`, `${base}.tsx`, `${base}/index.ts`, `${base}/index.tsx`]) {
    if (isFile(candidate)) return candidate;
  }
  return base;
}

/** Code that exists for testing: test files, test support, browser tests, benchmarks and the test runners' configs. */
function isTestCode(rel: string): boolean {
  return (
    /\.(test|spec)\.tsx?$/.test(rel) ||
    rel.startsWith("tests/") ||
    rel.startsWith("e2e/") ||
    rel.startsWith("scripts/bench-") ||
    rel === "vitest.config.ts" ||
    rel === "playwright.config.ts"
  );
}

const isProduction = (rel: string) => !isTestCode(rel) && /^(lib|components|app)\//.test(rel);
const libFolder = (rel: string) => rel.split("/").slice(0, 2).join("/");

interface ImportGraph {
  files: string[];
  /** file -> the repository files it imports */
  imports: Map<string, string[]>;
}

function importGraph(): ImportGraph {
  const files = sourceFiles();
  const imports = new Map<string, string[]>();
  for (const file of files) {
    const { importedFiles } = ts.preProcessFile(readFileSync(path.join(ROOT, file), "utf8"), true, true);
    const targets = importedFiles.map((i) => resolveImport(file, i.fileName)).filter((t): t is string => t !== null);
    imports.set(file, [...new Set(targets)]);
  }
  return { files, imports };
}

/** Every cycle between lib/ folders, each as "lib/a → lib/b → lib/a" with the imports that make each step. */
function libFolderCycles({ imports }: ImportGraph): string[] {
  // folder -> folder it uses -> one import that shows it
  const uses = new Map<string, Map<string, string>>();
  for (const [file, targets] of imports) {
    if (!file.startsWith("lib/") || isTestCode(file)) continue;
    for (const target of targets) {
      if (!target.startsWith("lib/") || libFolder(target) === libFolder(file)) continue;
      const byTarget = uses.get(libFolder(file)) ?? new Map<string, string>();
      if (!byTarget.has(libFolder(target))) byTarget.set(libFolder(target), `${file} imports ${target}`);
      uses.set(libFolder(file), byTarget);
    }
  }
  const cycles = new Set<string>();
  for (const start of uses.keys()) {
    // Breadth-first from `start` back to itself: the shortest cycle through it, if any.
    const cameFrom = new Map<string, string>();
    const queue = [start];
    while (queue.length > 0) {
      const folder = queue.shift()!;
      const next = [...(uses.get(folder)?.keys() ?? [])];
      if (next.includes(start)) {
        const loop = [start];
        for (let f = folder; f !== start; f = cameFrom.get(f)!) loop.splice(1, 0, f);
        // One spelling per cycle whichever folder it is found from: start at the alphabetically first folder.
        const first = loop.indexOf([...loop].sort()[0]);
        const rotated = [...loop.slice(first), ...loop.slice(0, first)];
        const steps = rotated.map((f, i) => uses.get(f)!.get(rotated[(i + 1) % rotated.length])!);
        cycles.add(`${[...rotated, rotated[0]].join(" → ")} (${steps.join("; ")})`);
        break;
      }
      for (const n of next) {
        if (n !== start && !cameFrom.has(n)) {
          cameFrom.set(n, folder);
          queue.push(n);
        }
      }
    }
  }
  return [...cycles].sort();
}

describe("the layering of the code", () => {
  const graph = importGraph();
  const edges = [...graph.imports].flatMap(([file, targets]) => targets.map((target) => ({ file, target })));

  it("reads the imports of the whole code base", () => {
    // Guards the checks below against passing vacuously should the scan find nothing.
    expect(graph.files.filter((f) => f.startsWith("lib/")).length).toBeGreaterThan(100);
    expect(edges.filter((e) => e.file.startsWith("lib/") && e.target.startsWith("lib/")).length).toBeGreaterThan(300);
  });

  it("has no cycle between lib/ folders", () => {
    expect(libFolderCycles(graph)).toEqual([]);
  });

  it("keeps lib/ and components/ from importing app/", () => {
    const upward = edges.filter((e) => /^(lib|components)\//.test(e.file) && !isTestCode(e.file) && e.target.startsWith("app/"));
    expect(upward.map((e) => `${e.file} imports ${e.target}`)).toEqual([]);
  });

  it("keeps test code out of lib/, components/ and app/", () => {
    const intoTests = edges.filter((e) => isProduction(e.file) && isTestCode(e.target));
    expect(intoTests.map((e) => `${e.file} imports ${e.target}`)).toEqual([]);
  });

  it("uses every file under lib/ in the product, not only in tests (test helpers belong in tests/support/)", () => {
    // Reachable from the product's entry points: pages and route handlers, components, the CLI and server scripts,
    // Next's instrumentation and proxy. A lib/ file reached only from tests (or from nothing) is test support.
    const roots = graph.files.filter((f) => !isTestCode(f) && !f.startsWith("lib/"));
    const used = new Set(roots);
    const pending = [...roots];
    while (pending.length > 0) {
      for (const target of graph.imports.get(pending.pop()!) ?? []) {
        if (!used.has(target) && graph.imports.has(target)) {
          used.add(target);
          pending.push(target);
        }
      }
    }
    const importersOf = (file: string) => edges.filter((e) => e.target === file).map((e) => e.file);
    const unused = graph.files
      .filter((f) => f.startsWith("lib/") && !isTestCode(f) && !used.has(f))
      .map((f) => `${f} (imported by: ${importersOf(f).join(", ") || "nothing"})`);
    expect(unused).toEqual([]);
  });
});
