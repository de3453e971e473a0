-- Suppression state is kept on the rows it hides, so that every risk and result read tests one column instead of
-- matching every row against the suppressions (which dominated the risk and host views at scale).
--   suppression_matches(match, fields): THE matcher of the `_filter` macro (Splunk `search` semantics: field names
--     exact, values case-insensitive, `*` a wildcard, every field -> value pair must match, an empty match matches
--     nothing). The detection engine calls it too.
--   detection_results.suppressed_until / risk_events.suppressed_until: until when an enabled suppression hides the
--     row (its latest expiry; 9999-12-31 for one without expiry, a finite date so that every client can read it),
--     null when none does. A row counts when it is null or past, so expiry needs no job. A trigger recomputes them
--     whenever a suppression is added or removed, or its detection, match, state or expiry changes.
-- Prisma models the columns but not the functions and the trigger: later diffs leave them alone.

-- AlterTable
ALTER TABLE "detection_results" ADD COLUMN     "suppressed_until" TIMESTAMPTZ(6);

-- AlterTable
ALTER TABLE "risk_events" ADD COLUMN     "suppressed_until" TIMESTAMPTZ(6);

CREATE FUNCTION "suppression_matches"("match" jsonb, "fields" jsonb) RETURNS boolean
  LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT jsonb_typeof("match") = 'object' AND "match" <> '{}'::jsonb AND NOT EXISTS (
    SELECT 1 FROM jsonb_each("match") AS m(key, value)
    WHERE NOT (lower(coalesce("fields" ->> m.key, ''))
               LIKE lower(replace(replace(replace(replace(coalesce(m.value #>> '{}', ''), '\', '\\'), '%', '\%'), '_', '\_'), '*', '%'))
               ESCAPE '\'))
$$;

-- Recomputes the suppression state of one detection's results and risk events. Takes the detection's run lock
-- (lib/detections/engine.ts) so that a run in progress cannot store rows the new state has not seen.
CREATE FUNCTION "refresh_suppressed_until"("detection" text) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_advisory_xact_lock(hashtext('iiswatch:detection:' || "detection"));
  UPDATE "detection_results" r SET "suppressed_until" = x.until
  FROM (
    SELECT r2.id, (
      SELECT max(coalesce(s.expires_at, '9999-12-31T00:00:00Z'::timestamptz)) FROM "suppressions" s
      WHERE s.detection_id = "detection" AND s.enabled AND (s.expires_at IS NULL OR s.expires_at > now())
        AND suppression_matches(s.match, r2.fields)
    ) AS until
    FROM "detection_results" r2 WHERE r2.detection_id = "detection"
  ) x
  WHERE r.id = x.id AND r.suppressed_until IS DISTINCT FROM x.until;
  UPDATE "risk_events" re SET "suppressed_until" = r.suppressed_until
  FROM "detection_results" r
  WHERE re.result_id = r.id AND r.detection_id = "detection" AND re.suppressed_until IS DISTINCT FROM r.suppressed_until;
END
$$;

CREATE FUNCTION "suppressions_changed"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP <> 'INSERT' THEN PERFORM refresh_suppressed_until(OLD.detection_id); END IF;
  IF TG_OP <> 'DELETE' AND (TG_OP = 'INSERT' OR NEW.detection_id IS DISTINCT FROM OLD.detection_id) THEN
    PERFORM refresh_suppressed_until(NEW.detection_id);
  END IF;
  RETURN NULL;
END
$$;

-- Not on edits of the reason alone (or who made them): those change nothing a row's state depends on.
CREATE TRIGGER "suppressions_changed"
  AFTER INSERT OR DELETE OR UPDATE OF "detection_id", "match", "enabled", "expires_at" ON "suppressions"
  FOR EACH ROW EXECUTE FUNCTION "suppressions_changed"();

-- Backfill: the state the suppressions already stored give.
SELECT refresh_suppressed_until(d.detection_id) FROM (SELECT DISTINCT detection_id FROM "suppressions") d;
