// npm run db:migrate | db:migration <name> | db:status — offline Prisma migrations (lib/db/migrate.ts).
// Uses DATABASE_URL, or the embedded database when it is unset (migrations only: `create` needs a real server).
import { createMigration, deployMigrations, migrationStatus } from "../lib/db/migrate";
import { withDatabaseUrl } from "../lib/db/embedded";

const [command, name] = process.argv.slice(2);

async function main() {
  switch (command) {
    case "deploy": {
      const applied = await withDatabaseUrl((url) => deployMigrations(url));
      console.log(applied.length ? `Applied: ${applied.join(", ")}` : "No pending migrations.");
      break;
    }
    case "create": {
      const url = process.env.DATABASE_URL;
      if (!url) throw new Error("db:migration needs DATABASE_URL (a Postgres server that allows CREATE DATABASE for the shadow database)");
      const dir = await createMigration(url, name ?? "migration");
      console.log(dir ? `Created prisma/migrations/${dir}/migration.sql` : "No schema changes, no migration created.");
      break;
    }
    case "status":
      console.log(JSON.stringify(await withDatabaseUrl((url) => migrationStatus(url)), null, 2));
      break;
    default:
      throw new Error("usage: tsx scripts/db.ts deploy | create <name> | status");
  }
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    console.error(`db: ${e instanceof Error ? e.message : String(e)}`);
    process.exit(1);
  },
);
