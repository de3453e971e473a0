// The Windows event log channels this product asks admins to collect, declared once. Everything that names them derives
// from this list: the per-host, per-channel last event times kept at ingest (host_channels, host-counters.ts), the
// hosts page's "last event per channel" and quiet-shipper flag (lib/hosts/channels.ts), and — checked by tests — the
// shipper configurations in docs/shippers/ and the PowerShell script that enables and checks the logs
// (docs/shippers/Enable-IisWatchLogging.ps1). A unit test (collected-channels.test.ts) checks that every detection's
// macro matches an event of one of these channels, so a detection reading a new channel cannot go unlisted.
import { IIS_CONFIGURATION_CHANNEL } from "./splunk-fields";

export interface CollectedChannel {
  /** The channel's name as Windows spells it (wevtutil, Get-WinEvent -LogName, every shipper's channel list). */
  channel: string;
  /** A short name for tables. */
  label: string;
  /** What it is read for. */
  purpose: string;
  /**
   * "detections": a detection of this build searches it; "story": the ESCU IIS Components analytic story's process
   * and PowerShell detections need it (collect it now so that they have history when they run).
   */
  neededBy: "detections" | "story";
  /** Off on a fresh Windows install: the admin must enable it (wevtutil sl <channel> /e:true). */
  disabledByDefault: boolean;
}

export const COLLECTED_CHANNELS: readonly CollectedChannel[] = [
  {
    channel: IIS_CONFIGURATION_CHANNEL,
    label: "IIS configuration",
    purpose: "event 29, IIS configuration changes: Windows IIS Components New Module Added",
    neededBy: "detections",
    disabledByDefault: true,
  },
  {
    channel: "Application",
    label: "Application",
    purpose: "event 2282 (and 2280, 2295, 2296), a module DLL that failed to load: Windows IIS Components Module Failed to Load",
    neededBy: "detections",
    disabledByDefault: false,
  },
  {
    channel: "Security",
    label: "Security",
    purpose: "event 4688, process creation with its command line (appcmd install module, gacutil /i, w3wp.exe children): needs command-line auditing",
    neededBy: "detections",
    disabledByDefault: false,
  },
  {
    channel: "Microsoft-Windows-Sysmon/Operational",
    label: "Sysmon",
    purpose: "Sysmon event 1, process creation (appcmd, gacutil, w3wp.exe children): needs Sysmon installed",
    neededBy: "detections",
    disabledByDefault: false,
  },
  {
    channel: "Microsoft-Windows-PowerShell/Operational",
    label: "PowerShell",
    purpose: "event 4104, script blocks (New-WebGlobalModule, Publish to the GAC, HTTP logging disabled): needs script block logging",
    neededBy: "detections",
    disabledByDefault: false,
  },
];

/** The channels' names, in the list's order. */
export const COLLECTED_CHANNEL_NAMES: readonly string[] = COLLECTED_CHANNELS.map((c) => c.channel);

/** The channels' names lower-cased: how `host_channels.channel` keys them (Windows channel names ignore case). */
export const COLLECTED_CHANNEL_KEYS: readonly string[] = COLLECTED_CHANNEL_NAMES.map((c) => c.toLowerCase());
