-- Module provenance as risk (lib/detections/risk-factors.ts, applied by lib/detections/rba.ts): each result's risk
-- factors ([{factor, points, why}]), and on each risk event the base score and the factors that risk_score adds up
-- (risk_score = least(100, base_risk_score + sum(points))). Risk events from before have no base (risk_score is it).
-- AlterTable
ALTER TABLE "detection_results" ADD COLUMN     "risk_factors" JSONB NOT NULL DEFAULT '[]';

-- AlterTable
ALTER TABLE "risk_events" ADD COLUMN     "base_risk_score" INTEGER,
ADD COLUMN     "risk_factors" JSONB NOT NULL DEFAULT '[]';
