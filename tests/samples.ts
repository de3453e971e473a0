// Paths to the real sample events in ../shared/samples (read-only, beside the checkout in dev and CI).
import path from "node:path";

export const SHARED = path.resolve(import.meta.dirname, "../../shared");
export const SAMPLE_2282_XML = path.join(SHARED, "samples/splunk+security_content@b13b314a/data_sources/DERIVED_2282_example_log.xml");
export const SAMPLE_29_EXCERPT = path.join(SHARED, "samples/blog.sqeye.net/event29_customErrors_excerpt.txt");
export const SAMPLE_EVTX = path.join(
  SHARED,
  "samples/sbousseaden+EVTX-ATTACK-SAMPLES@4ceed2f4/Credential Access/discovery_sysmon_1_iis_pwd_and_config_discovery_appcmd.evtx",
);
