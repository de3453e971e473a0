// The host's IIS global modules as its uploaded inventories show them (lib/inventory): the latest list, and what
// changed between consecutive inventories. A module whose image is outside %windir%\System32\inetsrv is marked: IIS's
// own modules live there (ASP.NET's ManagedEngine in the .NET Framework folders), a backdoor's usually do not.
import { SafeText } from "@/components/SafeText";
import { SimpleTable } from "@/components/SimpleTable";
import { Time, ZoneHeading } from "@/components/time/TimeZone";
import type { ImagePlace } from "@/lib/inventory/module-inventory";
import type { HostModuleInventory } from "@/lib/inventory/snapshots";

const PLACE: Record<ImagePlace, { label: string; className?: string }> = {
  inetsrv: { label: "" },
  dotnet: { label: "outside inetsrv (.NET Framework)", className: "status-processing" },
  elsewhere: { label: "⚠ outside %windir%\\System32\\inetsrv", className: "status-failed" },
};

function ModuleImage({ image, place }: { image: string; place: ImagePlace }) {
  const { label, className } = PLACE[place];
  return (
    <span className={className}>
      <SafeText className="mono wrap-anywhere" text={image} />
      {label && <> — {label}</>}
    </span>
  );
}

export function ModuleInventory({ inventory }: { inventory: HostModuleInventory }) {
  const { latest, changes } = inventory;
  if (!latest) {
    return (
      <p className="muted">
        No module inventory uploaded. Upload this host&apos;s <code>applicationHost.config</code> (with the host field) or the output of{" "}
        <code>Get-WebGlobalModule | ConvertTo-Json</code> to list its global modules and follow their changes.
      </p>
    );
  }
  const outside = latest.modules.filter((m) => m.place !== "inetsrv").length;
  return (
    <>
      <p>
        {latest.modules.length} global modules in <SafeText text={latest.filename} /> ({latest.source}, uploaded <Time iso={latest.takenAt.toISOString()} />
        ); {outside} outside %windir%\System32\inetsrv. {inventory.snapshots} inventories uploaded.
      </p>
      <SimpleTable
        label="IIS global modules (latest inventory)"
        headers={["Module", "Image", "preCondition"]}
        empty="The inventory lists no global module."
        rows={latest.modules.map((m) => ({
          key: m.name,
          cells: [<SafeText key="n" className="mono wrap-anywhere" text={m.name} />, <ModuleImage key="i" image={m.image} place={m.place} />, <SafeText key="p" className="mono" text={m.preCondition ?? ""} />],
        }))}
      />
      <h3>Changes between inventories</h3>
      <SimpleTable
        label="IIS global module changes"
        headers={[<ZoneHeading key="t">Inventory</ZoneHeading>, <ZoneHeading key="p">Compared with</ZoneHeading>, "Change", "Module", "Image"]}
        empty={inventory.snapshots < 2 ? "One inventory so far: nothing to compare." : "No change between the inventories."}
        rows={changes.flatMap((c, i) => {
          const when = [<Time key="t" iso={c.takenAt.toISOString()} zoneInHeading />, <Time key="p" iso={c.previousTakenAt.toISOString()} zoneInHeading />];
          return [
            ...c.added.map((m) => ({ key: `${i}-a-${m.name}`, cells: [...when, "added", <SafeText key="n" className="mono" text={m.name} />, <ModuleImage key="i" image={m.image} place={m.place} />] })),
            ...c.removed.map((m) => ({ key: `${i}-r-${m.name}`, cells: [...when, "removed", <SafeText key="n" className="mono" text={m.name} />, <ModuleImage key="i" image={m.image} place={m.place} />] })),
            ...c.imageChanged.map((m) => ({
              key: `${i}-c-${m.name}`,
              cells: [
                ...when,
                "image changed",
                <SafeText key="n" className="mono" text={m.name} />,
                <span key="i">
                  <SafeText className="mono wrap-anywhere" text={m.from} /> → <ModuleImage image={m.to} place={m.place} />
                </span>,
              ],
            })),
          ];
        })}
      />
    </>
  );
}
