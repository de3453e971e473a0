// What the HEC tests share: Windows events in the forms shippers send them over HEC, and a call of the real route
// handlers of app/services/collector.
import crypto from "node:crypto";

export const HEC_ORIGIN = "http://iiswatch.test";

/** An IIS configuration Event 29 (a module installed in globalModules) as Splunk XmlWinEventLog renders it. */
export function event29Xml(input: { host: string; time: string; recordId: number; module?: string }): string {
  const moduleName = input.module ?? "BadMod";
  return (
    `<Event xmlns='http://schemas.microsoft.com/win/2004/08/events/event'><System><Provider Name='Microsoft-Windows-IIS-Configuration' ` +
    `Guid='{dc0b8e51-4863-407a-bc3c-1b479b2978ac}'/><EventID>29</EventID><Version>0</Version><Level>4</Level><Task>0</Task>` +
    `<Opcode>0</Opcode><Keywords>0x4000000000000000</Keywords><TimeCreated SystemTime='${input.time}'/>` +
    `<EventRecordID>${input.recordId}</EventRecordID><Correlation/><Execution ProcessID='4242' ThreadID='17'/>` +
    `<Channel>Microsoft-IIS-Configuration/Operational</Channel><Computer>${input.host}</Computer><Security UserID='S-1-5-18'/></System>` +
    `<EventData><Data Name='PhysicalPath'></Data><Data Name='ConfigPath'>MACHINE/WEBROOT/APPHOST</Data>` +
    `<Data Name='EffectiveLocationPath'></Data>` +
    `<Data Name='Configuration'>/system.webServer/globalModules/add[@name="${moduleName}"]</Data>` +
    `<Data Name='EditOperationType'>2</Data><Data Name='OldValue'></Data>` +
    `<Data Name='NewValue'>name="${moduleName}" image="C:\\Windows\\Temp\\${moduleName}.dll"</Data></EventData></Event>`
  );
}

/** An Application Event 2282 (a module DLL failed to load) as Winlogbeat ships it (ECS). */
export function event2282Ecs(input: { host: string; time: string; recordId: number }) {
  return {
    "@timestamp": input.time,
    message: "The Module DLL 'C:\\Windows\\Temp\\evil.dll' failed to load.  The data is the error.",
    winlog: {
      channel: "Application",
      computer_name: input.host,
      event_id: "2282",
      provider_name: "Microsoft-Windows-IIS-W3SVC-WP",
      record_id: input.recordId,
      event_data: { ModuleDll: "C:\\Windows\\Temp\\evil.dll", Binary: "7E000780" },
    },
  };
}

export const newChannel = () => crypto.randomUUID();

export interface HecCall {
  method?: "GET" | "POST";
  path: string;
  token?: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
}

/** The Request a HEC client would send. */
export function hecRequest(call: HecCall): Request {
  const headers: Record<string, string> = { host: "iiswatch.test", ...call.headers };
  if (call.token) headers.authorization = `Splunk ${call.token}`;
  const body = typeof call.body === "string" || call.body === undefined ? call.body : new Uint8Array(call.body);
  return new Request(`${HEC_ORIGIN}${call.path}`, { method: call.method ?? "POST", headers, body });
}

/**
 * A real HTTP server on 127.0.0.1 (a free port) whose /services/collector paths are the real route handlers, for
 * real HEC clients to send to. Resolves with its base URL and a way to close it.
 */
export async function serveHecRoutes(routes: Record<string, (request: Request) => Promise<Response>>): Promise<{ url: string; close(): Promise<void> }> {
  const http = await import("node:http");
  const { Readable } = await import("node:stream");
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const handler = routes[url.pathname];
    if (!handler) {
      res.writeHead(404).end();
      return;
    }
    const headers = new Headers();
    for (const [k, v] of Object.entries(req.headers)) if (typeof v === "string") headers.set(k, v);
    const hasBody = req.method !== "GET" && req.method !== "HEAD";
    const request = new Request(`http://${req.headers.host}${req.url}`, {
      method: req.method,
      headers,
      body: hasBody ? (Readable.toWeb(req) as ReadableStream<Uint8Array>) : undefined,
      duplex: "half",
    } as RequestInit);
    handler(request)
      .then(async (response) => {
        res.writeHead(response.status, Object.fromEntries(response.headers));
        res.end(Buffer.from(await response.arrayBuffer()));
      })
      .catch((e: unknown) => {
        res.writeHead(500).end(String(e));
      });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as import("node:net").AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
