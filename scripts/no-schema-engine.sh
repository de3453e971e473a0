#!/bin/sh
# Stand-in for Prisma's native schema engine, which cannot be downloaded offline. `prisma generate`
# only checks that PRISMA_SCHEMA_ENGINE_BINARY exists; anything that really needs the engine lands here.
echo "No native Prisma schema engine here (offline). Use: npm run db:migrate | db:migration <name> | db:status (Wasm engine, lib/db/migrate.ts)." >&2
exit 1
