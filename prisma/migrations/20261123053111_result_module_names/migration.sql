-- AlterTable
-- module_names: the modules a result's enrichment names (modules added to IIS, DLLs failing to load) as a JSON
-- array, kept by the database from `enrichment` (a stored generated column like dest_id: existing rows are filled
-- by this statement, and the engine, which writes the enrichment, need not know about it). The hosts table lists
-- each host's modules from it instead of unpacking every result's enrichment. Prisma models it as a plain column
-- with @default(dbgenerated()), which its migrations leave alone.
ALTER TABLE "detection_results" ADD COLUMN     "module_names" JSONB GENERATED ALWAYS AS (
  jsonb_path_query_array("enrichment", '$.changes[*] ? (@.kind == "module_added").module')
  || jsonb_path_query_array("enrichment", '$.failures[*].moduleDll')
) STORED;
