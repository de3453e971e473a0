#!/usr/bin/env node
// The `iiswatch` command line. The CLI is TypeScript (scripts/iiswatch.ts); tsx runs it without a build step.
import { register } from "tsx/esm/api";

register();
await import("../scripts/iiswatch.ts");
