// A host's last event per collected channel and the quiet flag (lib/hosts/channels.ts): the hosts table's cell and
// the host page's fact say it the same way.
import type { ChannelActivity } from "@/lib/hosts/channels";
import { Time } from "./time/TimeZone";

export function ChannelActivityList({ channels, quietHours }: { channels: ChannelActivity[]; quietHours: number }) {
  if (channels.length === 0) return <span className="muted">—</span>;
  return (
    <ul className="plain">
      {channels.map((ch) => (
        <li key={ch.channel} title={ch.channel} className={ch.quiet ? "status-failed" : undefined}>
          {ch.label}:{" "}
          {ch.lastEvent ? (
            <Time iso={ch.lastEvent} zoneInHeading />
          ) : ch.quiet ? (
            <span>none in the {quietHours} h before</span>
          ) : (
            <span className="muted" title="Events of this channel came after the view's time; its sparse history is not searched for the last one before it">
              — (later events)
            </span>
          )}
          {ch.quiet && (
            <span title={`${ch.channel} used to deliver at least once every ${quietHours} hours on average, and sent nothing in the ${quietHours} hours before the view's time: is its shipper still running?`}>
              {" "}
              ⚠ quiet
            </span>
          )}
        </li>
      ))}
    </ul>
  );
}
