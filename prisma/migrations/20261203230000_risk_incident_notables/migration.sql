-- Risk incident notables: ES's risk incident rules ("Risk Threshold Exceeded For Object Over 24 Hour Period",
-- "ATT&CK Tactic Threshold Exceeded For Object Over Previous 7 Days") create notables of their own, which come
-- from risk events rather than from one detection result. Such a notable has no result_id, names its rule
-- (incident_rule) and lists its contributing risk events (notable_risk_events). Stored once per object and rule
-- episode: at most one per 24 hours (ES throttles them by risk_object for a day), see lib/risk/incidents.ts.
ALTER TABLE "notables" ALTER COLUMN "result_id" DROP NOT NULL;
ALTER TABLE "notables" ADD COLUMN "incident_rule" TEXT;
ALTER TABLE "notables" ADD COLUMN "incident_score" INTEGER;
ALTER TABLE "notables" ADD CONSTRAINT "notables_result_or_incident" CHECK (("result_id" IS NULL) = ("incident_rule" IS NOT NULL));
CREATE INDEX "notables_incident_rule_dest_time_idx" ON "notables" ("incident_rule", "dest", "time") WHERE "incident_rule" IS NOT NULL;

CREATE TABLE "notable_risk_events" (
    "notable_id" BIGINT NOT NULL,
    "risk_event_id" BIGINT NOT NULL,
    CONSTRAINT "notable_risk_events_pkey" PRIMARY KEY ("notable_id", "risk_event_id"),
    CONSTRAINT "notable_risk_events_notable_id_fkey" FOREIGN KEY ("notable_id") REFERENCES "notables"("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "notable_risk_events_risk_event_id_fkey" FOREIGN KEY ("risk_event_id") REFERENCES "risk_events"("id") ON DELETE CASCADE ON UPDATE CASCADE
);
CREATE INDEX "notable_risk_events_risk_event_id_idx" ON "notable_risk_events"("risk_event_id");
