"use client";
// Drag-and-drop (or pick) several log files. Each streams to POST /api/uploads with real byte progress
// (XMLHttpRequest reports upload progress; fetch does not), then the server's report is polled until done.
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useCallback, useRef, useState } from "react";
import type { UploadStatus } from "@/lib/db/enums";
import { uploadUrl } from "@/lib/links/urls";

interface Report {
  status: UploadStatus;
  recordsRead: number;
  stored: number;
  duplicates: number;
  rejected: number;
  bytesProcessed: number;
  sizeBytes: number;
  error: string | null;
  live: { unit: string; done: number; total?: number } | null;
}

interface FileState {
  key: string;
  name: string;
  size: number;
  sent: number;
  phase: "uploading" | "server";
  uploadId?: string;
  report?: Report;
  error?: string;
}

const FORMATS = [
  ["auto", "Detect automatically"],
  ["evtx", "EVTX"],
  ["xml", "Windows event XML"],
  ["classic", "Splunk classic WinEventLog text"],
  ["json", "JSON (Winlogbeat, Get-WinEvent, Splunk)"],
  ["csv", "CSV (Splunk export, Event Viewer)"],
] as const;

const formatBytes = (n: number) =>
  n < 1024 ? `${n} B` : n < 1024 ** 2 ? `${(n / 1024).toFixed(1)} KiB` : n < 1024 ** 3 ? `${(n / 1024 ** 2).toFixed(1)} MiB` : `${(n / 1024 ** 3).toFixed(2)} GiB`;

export function UploadDropzone() {
  const router = useRouter();
  const [files, setFiles] = useState<FileState[]>([]);
  const [format, setFormat] = useState("auto");
  const [host, setHost] = useState("");
  const [dragging, setDragging] = useState(false);
  const input = useRef<HTMLInputElement>(null);

  const patch = useCallback((key: string, change: Partial<FileState>) => {
    setFiles((all) => all.map((f) => (f.key === key ? { ...f, ...change } : f)));
  }, []);

  const poll = useCallback(
    async (key: string, uploadId: string) => {
      for (;;) {
        // The counters only: the rejected records are on the upload's page.
        const res = await fetch(`/api/uploads/${uploadId}?rejections=0`, { cache: "no-store" });
        if (!res.ok) {
          patch(key, { error: `could not read the upload report (HTTP ${res.status})` });
          return;
        }
        const report = (await res.json()) as Report;
        patch(key, { report });
        if (report.status === "done" || report.status === "failed") {
          router.refresh();
          return;
        }
        await new Promise((r) => setTimeout(r, 500));
      }
    },
    [patch, router],
  );

  const send = useCallback(
    (file: File) => {
      const key = `${file.name}-${file.size}-${Math.random().toString(36).slice(2)}`;
      setFiles((all) => [...all, { key, name: file.name, size: file.size, sent: 0, phase: "uploading" }]);
      const xhr = new XMLHttpRequest();
      const query = new URLSearchParams({ filename: file.name, format });
      if (host.trim()) query.set("host", host.trim());
      xhr.open("POST", `/api/uploads?${query.toString()}`);
      xhr.setRequestHeader("Content-Type", "application/octet-stream");
      xhr.upload.onprogress = (e) => patch(key, { sent: e.loaded });
      xhr.onerror = () => patch(key, { error: "the upload was interrupted (network error)" });
      xhr.onload = () => {
        let body: { id?: string; error?: string } = {};
        try {
          body = JSON.parse(xhr.responseText);
        } catch {
          /* not JSON */
        }
        if (xhr.status !== 202 || !body.id) {
          patch(key, { error: body.error ?? `upload refused (HTTP ${xhr.status})` });
          return;
        }
        patch(key, { phase: "server", sent: file.size, uploadId: body.id });
        void poll(key, body.id);
      };
      xhr.send(file);
    },
    [format, host, patch, poll],
  );

  const take = (list: FileList | null) => {
    for (const file of Array.from(list ?? [])) send(file);
  };

  return (
    <section aria-label="Upload logs">
      <div className="filters">
        <label>
          Format
          <select value={format} onChange={(e) => setFormat(e.target.value)} aria-label="Input format">
            {FORMATS.map(([value, label]) => (
              <option key={value} value={value}>
                {label}
              </option>
            ))}
          </select>
        </label>
        <label>
          Computer name (only for Event Viewer CSV and an IIS applicationHost.config, which do not record it)
          <input value={host} onChange={(e) => setHost(e.target.value)} placeholder="e.g. WEB01" maxLength={255} />
        </label>
      </div>
      <div
        className={`dropzone${dragging ? " active" : ""}`}
        onDragOver={(e) => {
          e.preventDefault();
          setDragging(true);
        }}
        onDragLeave={() => setDragging(false)}
        onDrop={(e) => {
          e.preventDefault();
          setDragging(false);
          take(e.dataTransfer.files);
        }}
      >
        <p>Drop Windows event logs here: EVTX, event XML, Splunk classic text, JSON lines, CSV — or .gz / .zip of them.</p>
        <button type="button" className="primary" onClick={() => input.current?.click()}>
          Choose files…
        </button>
        <input
          ref={input}
          type="file"
          multiple
          hidden
          data-testid="file-input"
          aria-label="Log files to upload"
          onChange={(e) => {
            take(e.target.files);
            e.target.value = "";
          }}
        />
      </div>
      {files.length > 0 && (
        <ul className="file-list" aria-label="Uploads in progress">
          {files.map((f) => (
            <li key={f.key} data-testid="upload-item">
              <strong className="wrap-anywhere">{f.name}</strong> <span className="muted">{formatBytes(f.size)}</span>
              {f.phase === "uploading" && !f.error && (
                <div>
                  <progress max={f.size || 1} value={f.sent} aria-label={`Bytes sent for ${f.name}`} /> {formatBytes(f.sent)} of{" "}
                  {formatBytes(f.size)} sent
                </div>
              )}
              {f.report && <UploadReportLine report={f.report} uploadId={f.uploadId!} />}
              {f.error && (
                <p className="error" role="alert">
                  {f.error}
                </p>
              )}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

function UploadReportLine({ report, uploadId }: { report: Report; uploadId: string }) {
  const live = report.live;
  return (
    <div data-testid="upload-report">
      <span className={`status-${report.status}`}>{report.status}</span>
      {" · "}
      {report.recordsRead.toLocaleString()} records read, {report.stored.toLocaleString()} stored, {report.duplicates.toLocaleString()}{" "}
      duplicate, {report.rejected.toLocaleString()} rejected
      {report.status === "processing" && live?.total ? ` · ${live.done} / ${live.total} ${live.unit}` : ""}
      {" · "}
      <Link href={uploadUrl(uploadId)}>report</Link>
      {report.error && (
        <p className="error" role="alert">
          {report.error}
        </p>
      )}
    </div>
  );
}
