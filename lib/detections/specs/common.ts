// What the IIS Components detections share: ESCU's deployment schedule, products, tags, references, risk, drilldowns
// and the stats-then-ctime frame of their searches.
import { SECURITY_CONTENT_CTIME_FORMAT } from "../macros";

/** deployments/escu_default_configuration_{ttp,anomaly}.yml (splunk/security_content @b13b314a). */
export const ESCU_SCHEDULE = { cron: "0 * * * *", earliest: "-70m@m", latest: "-10m@m", scheduleWindow: "auto" } as const;

export const ESCU_PRODUCTS = ["Splunk Enterprise", "Splunk Enterprise Security", "Splunk Cloud"];

/** tags of both (v5): the IIS Components story on endpoints; each provenance says why T1505 stays beside T1505.004. */
export const IIS_COMPONENTS_TAGS = {
  analyticStory: ["IIS Components"],
  assetType: "Endpoint",
  mitreAttackId: ["T1505", "T1505.004"],
  product: ESCU_PRODUCTS,
  securityDomain: "endpoint",
};

/** rba of both: ESCU's one risk message (Module Failed to Load copies New Module Added's), `score` on dest. */
export function iisModuleRba(score: number) {
  return {
    message: "A new IIS Module has been loaded and should be reviewed on $dest$.",
    riskObjects: [{ field: "dest", type: "system", score }],
    threatObjects: [],
  };
}

/** ESCU's `stats count min(_time) as firstTime max(_time) as lastTime by …`, structured. */
export function countFirstLastBy(...by: string[]) {
  return {
    aggregates: [
      { fn: "count", as: "count" },
      { fn: "min", field: "_time", as: "firstTime" },
      { fn: "max", field: "_time", as: "lastTime" },
    ],
    by,
  };
}

/** `security_content_ctime(firstTime)` and `security_content_ctime(lastTime)`, which follow that stats. */
export const FIRST_LAST_CTIME = { fields: ["firstTime", "lastTime"], timeformat: SECURITY_CONTENT_CTIME_FORMAT };

/** The references both detections list after their own first one. */
export const IIS_COMPONENTS_REFERENCES = [
  "https://www.microsoft.com/en-us/security/blog/2022/12/12/iis-modules-the-evolution-of-web-shells-and-how-to-detect-them/",
  "https://www.crowdstrike.com/wp-content/uploads/2022/05/crowdstrike-iceapple-a-novel-internet-information-services-post-exploitation-framework-1.pdf",
  "https://unit42.paloaltonetworks.com/unit42-oilrig-uses-rgdoor-iis-backdoor-targets-middle-east/",
  "https://www.secureworks.com/research/bronze-union",
  "https://github.com/redcanaryco/atomic-red-team/tree/master/atomics/T1505.004",
  "https://strontic.github.io/xcyclopedia/library/appcmd.exe-055B2B09409F980BF9B5A3969D01E5B2.html",
];

/** drilldown_searches of v5, identical in both detections (YAML line folding undone). */
export const ESCU_DRILLDOWNS = [
  {
    name: 'View the detection results for - "$dest$"',
    search: '%original_detection_search% | search  dest = "$dest$"',
    earliestOffset: "$info_min_time$",
    latestOffset: "$info_max_time$",
  },
  {
    name: 'View risk events for the last 7 days for - "$dest$"',
    search:
      '| from datamodel Risk.All_Risk | search normalized_risk_object IN ("$dest$") starthoursago=168  | stats count min(_time) as firstTime max(_time) as lastTime values(search_name) as "Search Name" values(risk_message) as "Risk Message" values(analyticstories) as "Analytic Stories" values(annotations._all) as "Annotations" values(annotations.mitre_attack.mitre_tactic) as "ATT&CK Tactics" by normalized_risk_object | `security_content_ctime(firstTime)` | `security_content_ctime(lastTime)`',
    earliestOffset: "$info_min_time$",
    latestOffset: "$info_max_time$",
  },
];
