-- Results are looked up by host through dest_id (lower(dest)), indexed with last_time: the index on dest is used by
-- no query and only costs writes.

-- DropIndex
DROP INDEX "detection_results_dest_idx";
