// The event catalogue (events.json): data names and message templates as data, used to render messages, to recover
// data from a rendered message (wrapped lines included) and to name positional data only when the count matches.
import { describe, expect, it } from "vitest";
import type { ReaderNotice } from "../parser";
import { readerForFormat } from "../readers";
import { readAll } from "../../../tests/support/format-readers";
import { escuFixture } from "../../../tests/support/escu-fixtures";
import { CATALOGUE_EVENTS, CATALOGUE_PROVIDERS, catalogueEntry, dataFromMessageFor, eventDataFor, knownSource, renderMessageFor } from "./index";

const W3SVC = "Microsoft-Windows-IIS-W3SVC-WP";
const CONFIG = "Microsoft-Windows-IIS-Configuration";
const entry2282 = catalogueEntry(W3SVC, 2282)!;
const entry29 = catalogueEntry(CONFIG, 29)!;
const TAIL_2282 =
  "The data field contains the error number. To learn more about this issue, including how to troubleshooting this kind of processor architecture mismatch error, see http://go.microsoft.com/fwlink/?LinkId=29349.";

describe("catalogue data", () => {
  it("covers 29, 2282 and its siblings, the ISAPI load failures and the timeline's most frequent events, each with its source", () => {
    for (const [provider, id] of [
      [CONFIG, 29], [CONFIG, 30], [CONFIG, 50], [W3SVC, 2280], [W3SVC, 2282], [W3SVC, 2293], [W3SVC, 2295], [W3SVC, 2296], [W3SVC, 2298],
      [W3SVC, 2214], [W3SVC, 2220], [W3SVC, 2303], ["Microsoft-Windows-WAS", 5186], ["Microsoft-Windows-WAS", 5139],
    ] as const) {
      expect(catalogueEntry(provider, id), `${provider} ${id}`).toBeDefined();
    }
    for (const e of CATALOGUE_EVENTS) {
      expect(e.source.length, `${e.provider} ${e.eventId} source`).toBeGreaterThan(10);
      expect(CATALOGUE_PROVIDERS.some((p) => p.name === e.provider)).toBe(true);
      // What is not known is said, not invented.
      if (e.data === null || e.message === null) expect(e.note, `${e.provider} ${e.eventId} note`).toBeTruthy();
      // A template of a named entry refers only to data it names.
      const used = [...(e.message ?? "").matchAll(/%(\d+)/g)].map((m) => Number(m[1]));
      if (e.data) for (const n of used) expect(n).toBeLessThanOrEqual(e.data.length);
    }
  });

  it("knows legacy source names and by-version entries", () => {
    expect(knownSource("W3SVC-WP")).toEqual({ provider: W3SVC, channel: "Application", eventSourceName: "W3SVC-WP" });
    expect(knownSource("microsoft-windows-iis-configuration")).toEqual({ provider: CONFIG, channel: "Microsoft-IIS-Configuration/Operational", eventSourceName: null });
    expect(catalogueEntry("W3SVC-WP", 2282)).toBe(entry2282);
    expect(catalogueEntry(W3SVC, 2282, 0)).toBe(entry2282);
    expect(catalogueEntry(W3SVC, 2282, 1)).toBeUndefined(); // another version may carry other data
  });
});

describe("message templates", () => {
  it("renders 29 and 2282 from their data", () => {
    expect(renderMessageFor(entry29, { ConfigPath: "MACHINE/WEBROOT/APPHOST", Configuration: "/system.webServer/modules/add[@name=\"X\"]" })).toBe(
      "Changes to '/system.webServer/modules/add[@name=\"X\"]' at 'MACHINE/WEBROOT/APPHOST' have successfully been committed.",
    );
    expect(renderMessageFor(entry2282, { ModuleDll: "c:\\temp\\msf.dll", ProcessorArchitecture: "AMD64" })).toBe(
      `The Module DLL 'c:\\temp\\msf.dll' could not be loaded due to a configuration problem. The current configuration only supports loading images built for a AMD64 processor architecture. ${TAIL_2282}`,
    );
    expect(renderMessageFor(entry2282, { ModuleDll: "c:\\temp\\msf.dll" })).toBeNull(); // never a partial message
    // Unnamed entries render from positional data.
    expect(renderMessageFor(catalogueEntry(W3SVC, 2214), { "0": "C:\\filters\\f.dll" })).toBe("The HTTP Filter DLL C:\\filters\\f.dll failed to load.  The data is the error.");
  });

  it("recovers 2282's ModuleDll and ProcessorArchitecture, wrapped lines included", () => {
    const expected = { data: { ModuleDll: "C:\\Windows\\Temp\\iisbd64.dll", ProcessorArchitecture: "AMD64" }, named: true, found: 2, expected: 2 };
    const one = `The Module DLL 'C:\\Windows\\Temp\\iisbd64.dll' could not be loaded due to a configuration problem. The current configuration only supports loading images built for a AMD64 processor architecture. ${TAIL_2282}`;
    expect(dataFromMessageFor(entry2282, one)).toEqual(expected);
    // Wrapped between sentences (LF or CRLF), mid-sentence, around a value, with extra spaces; another trailing text.
    for (const wrapped of [
      one.replace("problem. The", "problem.\nThe"),
      one.replace("problem. The", "problem.\r\nThe"),
      one.replace("only supports loading", "only supports\r\n  loading"),
      one.replace("DLL 'C:", "DLL '\r\nC:").replace(".dll' could", ".dll'\r\ncould"),
      one.replace("built for a AMD64", "built for a\nAMD64"),
      one.replace(". The current", ".  The current"),
      one.replace(TAIL_2282, "The data field contains the error number."),
    ]) {
      expect(dataFromMessageFor(entry2282, wrapped), JSON.stringify(wrapped.slice(0, 90))).toEqual(expected);
    }
  });

  it("recovers 29's Configuration and ConfigPath (quotes in values)", () => {
    expect(dataFromMessageFor(entry29, "Changes to '/system.webServer/globalModules/add[@name=\"Evil\"]' at 'MACHINE/WEBROOT/APPHOST'\r\nhave successfully been committed.")).toEqual({
      data: { Configuration: '/system.webServer/globalModules/add[@name="Evil"]', ConfigPath: "MACHINE/WEBROOT/APPHOST" },
      named: true,
      found: 2,
      expected: 2,
    });
  });

  it("reads a value that ends its sentence whole, dots and all", () => {
    // 2295: "…in the module DLL %1.  The data is the error." — the DLL's own dot does not end the sentence.
    const entry2295 = catalogueEntry(W3SVC, 2295)!;
    const m = "Failed to find the RegisterModule entrypoint in the module DLL C:\\Windows\\Temp\\not.a.module.dll.  The data is the error.";
    expect(dataFromMessageFor(entry2295, m)?.data).toEqual({ "0": "C:\\Windows\\Temp\\not.a.module.dll" });
    expect(dataFromMessageFor(entry2295, "Failed to find the RegisterModule entrypoint in the module DLL C:\\x\\evil.dll.")?.data).toEqual({ "0": "C:\\x\\evil.dll" });
  });

  it("keeps an unresolved insertion missing, and the data positional: never a guess", () => {
    // Windows renders "%2" itself when the event carried one value: that value is %1, not a ModuleDll we can trust.
    const m = `The Module DLL 'AMD64' could not be loaded due to a configuration problem. The current configuration only supports loading images built for a %2 processor architecture. ${TAIL_2282}`;
    expect(dataFromMessageFor(entry2282, m)).toEqual({ data: { "0": "AMD64" }, named: false, found: 1, expected: 2 });
    expect(dataFromMessageFor(entry2282, "Something else entirely.")).toBeNull();
    // An entry without names: recovered by position, with a note.
    const isapi = catalogueEntry(W3SVC, 2220)!;
    expect(eventDataFor({ provider: W3SVC, eventId: 2220 }, isapi, {}, "The HTTP server was unable to load the ISAPI Application 'C:\\isapi\\x.dll'. The data is the error.")).toEqual({
      data: { "0": "C:\\isapi\\x.dll" },
      note: "Microsoft-Windows-IIS-W3SVC-WP 2220: the catalogue has no data names, data kept by position",
    });
  });
});

describe("positional data", () => {
  it("is named only when its count matches the entry", () => {
    expect(eventDataFor({ provider: W3SVC, eventId: 2282 }, entry2282, { "0": "c:\\a.dll", "1": "AMD64" }, null)).toEqual({ data: { ModuleDll: "c:\\a.dll", ProcessorArchitecture: "AMD64" } });
    // The case: a 2282 whose data holds only the architecture must not become ModuleDll = "AMD64".
    expect(eventDataFor({ provider: W3SVC, eventId: 2282 }, entry2282, { "0": "AMD64" }, null)).toEqual({
      data: { "0": "AMD64" },
      note: "Microsoft-Windows-IIS-W3SVC-WP 2282: 1 value, the catalogue names 2, data kept by position",
    });
    expect(eventDataFor({ provider: W3SVC, eventId: 2282 }, entry2282, { "0": "a", "1": "b", "2": "c" }, null).note).toBe(
      "Microsoft-Windows-IIS-W3SVC-WP 2282: 3 values, the catalogue names 2, data kept by position",
    );
    expect(eventDataFor({ provider: "Some-Provider", eventId: 4 }, undefined, { "0": "x" }, null).note).toBe("Some-Provider 4: no catalogue entry, data kept by position");
    // Named data is never renamed; a message adds only what its template names.
    expect(eventDataFor({ provider: W3SVC, eventId: 2282 }, entry2282, { ModuleDll: "c:\\x.dll" }, null)).toEqual({ data: { ModuleDll: "c:\\x.dll" } });
  });

  it("Get-WinEvent: Properties named by count, a short list left positional, and one aggregated notice per file", async () => {
    const notices: ReaderNotice[] = [];
    const { events } = await readAll(readerForFormat("json"), escuFixture("get-winevent.json"), { onNotice: (n: ReaderNotice) => notices.push(n) });
    const byRecord = new Map(events.map((e) => [e.recordId, e]));
    expect(byRecord.get(5001)!.data).toEqual({ ModuleDll: "C:\\Windows\\Temp\\iisbd64.dll", ProcessorArchitecture: "AMD64" });
    expect(byRecord.get(5004)!.data).toEqual({ "0": "AMD64" });
    expect(byRecord.get(5004)!.splunk.ModuleDll).toBeNull();
    expect(byRecord.get(201)!.data.Configuration).toBe('/system.webServer/globalModules/add[@name="IisBackdoor"]');
    expect(byRecord.get(202)!.data["3"]).toBe('/system.webServer/modules/add[@name="IisBackdoor"]'); // 8 values for 7 names
    expect(notices).toEqual([
      {
        location: "event data",
        summary: true,
        message:
          "2 records kept event data unnamed (by position) or without the data their message carries, as the event catalogue cannot name it without guessing: " +
          "1 × Microsoft-Windows-IIS-Configuration 29: 8 values, the catalogue names 7, data kept by position; " +
          "1 × Microsoft-Windows-IIS-W3SVC-WP 2282: 1 value, the catalogue names 2, data kept by position",
      },
    ]);
  });

  it("classic text and Event Viewer CSV: data recovered from the message, wrapped line included", async () => {
    const classic = (await readAll(readerForFormat("classic"), escuFixture("classic.log"))).events;
    const wrapped = classic.find((e) => e.recordId === 5007)!;
    expect(wrapped.message).toContain("problem.\nThe current");
    expect(wrapped.data).toEqual({ ModuleDll: "C:\\Windows\\Temp\\iisbd64.dll", ProcessorArchitecture: "AMD64" });
    expect(classic.find((e) => e.recordId === 202)!.data).toEqual({ ConfigPath: "MACHINE/WEBROOT/APPHOST", Configuration: '/system.webServer/modules/add[@name="IisBackdoor"]' });
    const csv = (await readAll(readerForFormat("csv"), escuFixture("eventviewer-application.csv"), { host: "WEB01.contoso.local" })).events;
    expect(csv.map((e) => e.splunk.ModuleDll)).toEqual(["C:\\Windows\\Temp\\iisbd64.dll", null, "C:\\Windows\\Temp\\iisbd64.dll"]);
  });
});
