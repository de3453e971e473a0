// A real HEC client: Splunk's own npm `splunk-logging` (splunk/splunk-javascript-logging) sends Windows events over
// HTTP to the real /services/collector route handlers on a real socket, batching as it does in production (posts to
// /services/collector/event/1.0, `time` as a string, events concatenated). The test checks what a user of the
// client sees: every batch answered Success with its ackId, every event stored through the upload readers (host,
// event code, channel), every ackId acknowledged once a worker has stored its batch, and the detections run on them.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { createRequire } from "node:module";
import { afterAll, beforeAll, expect, it } from "vitest";
import { resetDatabase } from "./db-setup";
import { drainUploads } from "./pipeline";
import { event2282Ecs, event29Xml, newChannel, serveHecRoutes } from "./support/hec";
import { cliActor } from "../lib/audit/log";
import { db } from "../lib/db/client";
import { createHecToken } from "../lib/hec/tokens";
import * as eventV1 from "../app/services/collector/event/1.0/route";
import * as ackRoute from "../app/services/collector/ack/route";

type Answered = (err: Error | null, response: unknown, body: { text?: string; code?: number; ackId?: number }) => void;
interface SplunkLoggerInstance {
  eventFormatter: (message: unknown, severity: string) => unknown;
  requestOptions: { headers?: Record<string, string> };
  error: (err: Error, context: unknown) => void;
  send(context: { message: unknown; metadata?: Record<string, string> }, callback?: Answered): void;
  flush(callback: Answered): void;
}
const { Logger } = createRequire(import.meta.url)("splunk-logging") as {
  Logger: new (config: { token: string; url: string; maxBatchCount: number; maxRetries?: number }) => SplunkLoggerInstance;
};

const NEW_MODULE_ADDED = "55f22929-cfd3-4388-ba5c-4d01fac7ee7e";
let server: Awaited<ReturnType<typeof serveHecRoutes>>;

beforeAll(async () => {
  process.env.IISWATCH_DATA_DIR = fs.mkdtempSync(path.join(os.tmpdir(), "iiswatch-hec-client-"));
  await resetDatabase();
  server = await serveHecRoutes({ "/services/collector/event/1.0": eventV1.POST, "/services/collector/ack": ackRoute.POST });
});

afterAll(async () => {
  await server?.close();
  fs.rmSync(process.env.IISWATCH_DATA_DIR!, { recursive: true, force: true });
});

it("splunk-logging's batches arrive, are answered Success with an ackId, stored once each and acknowledged", async () => {
  const { token } = await createHecToken({ name: "splunk-logging", ackEnabled: true }, cliActor());
  const channel = newChannel();
  const logger = new Logger({ token, url: server.url, maxBatchCount: 10, maxRetries: 0 });
  // Windows events as they are (XML text, Winlogbeat JSON), not splunk-logging's {message, severity} wrapper.
  logger.eventFormatter = (message) => message;
  logger.requestOptions.headers = { "X-Splunk-Request-Channel": channel };
  const errors: string[] = [];
  logger.error = (err) => errors.push(err.message);
  // The client flushes by itself when 10 events are queued (calling back the send that filled the batch); the last
  // 5 are flushed by hand, as an application does at exit.
  const answers: Promise<{ text?: string; code?: number; ackId?: number }>[] = [];
  const answered = (): [Answered, Promise<{ text?: string; code?: number; ackId?: number }>] => {
    let callback: Answered = () => {};
    const promise = new Promise<{ text?: string; code?: number; ackId?: number }>((resolve, reject) => {
      callback = (err, _response, body) => (err ? reject(err) : resolve(body));
    });
    return [callback, promise];
  };
  for (let i = 0; i < 25; i++) {
    const time = new Date(Date.UTC(2026, 10, 23, 8, 0, i)).toISOString();
    const message = i % 2 === 0 ? event29Xml({ host: `WEB${i % 5}`, time, recordId: 1000 + i }) : event2282Ecs({ host: `WEB${i % 5}`, time, recordId: 1000 + i });
    const fillsBatch = (i + 1) % 10 === 0;
    const [callback, answer] = answered();
    if (fillsBatch) answers.push(answer);
    logger.send({ message, metadata: { sourcetype: i % 2 === 0 ? "XmlWinEventLog" : "_json" } }, fillsBatch ? callback : undefined);
    // One batch at a time, in order (each is answered before the next is sent), so that ackIds follow the batches.
    if (fillsBatch) await answer;
  }
  const [callback, last] = answered();
  logger.flush(callback);
  answers.push(last);
  expect(errors).toEqual([]);
  expect(await Promise.all(answers)).toEqual([0, 1, 2].map((ackId) => ({ text: "Success", code: 0, ackId })));

  const ack = () => fetch(`${server.url}/services/collector/ack`, { method: "POST", headers: { authorization: `Splunk ${token}`, "x-splunk-request-channel": channel }, body: JSON.stringify({ acks: [0, 1, 2] }) });
  expect(await (await ack()).json()).toEqual({ acks: { "0": false, "1": false, "2": false } });
  await drainUploads();
  expect(await (await ack()).json()).toEqual({ acks: { "0": true, "1": true, "2": true } });

  const uploads = await db().upload.findMany({ orderBy: { hecAckId: "asc" }, select: { status: true, recordsRead: true, stored: true, rejected: true } });
  expect(uploads).toEqual([10, 10, 5].map((n) => ({ status: "done", recordsRead: n, stored: n, rejected: 0 })));
  const byCode = await db().event.groupBy({ by: ["eventCode", "channel"], _count: true, orderBy: { eventCode: "asc" } });
  expect(byCode.map((g) => [g.eventCode, g.channel, g._count])).toEqual([
    [29, "Microsoft-IIS-Configuration/Operational", 13],
    [2282, "Application", 12],
  ]);
  expect((await db().event.findMany({ distinct: ["host"], select: { host: true }, orderBy: { host: "asc" } })).map((e) => e.host)).toEqual(["WEB0", "WEB1", "WEB2", "WEB3", "WEB4"]);
  // And the detections ran on them after: ESCU's "Windows IIS Components New Module Added" found each host's installs.
  const results = await db().detectionResult.findMany({ where: { detectionId: NEW_MODULE_ADDED }, select: { dest: true }, orderBy: { dest: "asc" } });
  expect([...new Set(results.map((r) => r.dest))]).toEqual(["WEB0", "WEB1", "WEB2", "WEB3", "WEB4"]);
});
