// Every size the ingest path accepts is bounded; each bound can be changed by an environment variable.
const number = (name: string, fallback: number) => {
  const v = process.env[name];
  const n = v === undefined ? NaN : Number(v);
  return Number.isFinite(n) && n > 0 ? n : fallback;
};

export interface IngestLimits {
  /** Largest upload accepted, in bytes (IISWATCH_MAX_UPLOAD_BYTES, default 2 GB). */
  maxUploadBytes: number;
  /** Largest total a compressed upload may expand to (IISWATCH_MAX_UNCOMPRESSED_BYTES, default 16 GB). */
  maxUncompressedBytes: number;
  /** Largest expansion ratio of a compressed member past its first MiB (IISWATCH_MAX_COMPRESSION_RATIO, default 200). */
  maxCompressionRatio: number;
  /** Largest single record, in bytes (IISWATCH_MAX_RECORD_BYTES, default 4 MiB). */
  maxRecordBytes: number;
}

export function ingestLimits(): IngestLimits {
  return {
    maxUploadBytes: number("IISWATCH_MAX_UPLOAD_BYTES", 2 * 1000 ** 3),
    maxUncompressedBytes: number("IISWATCH_MAX_UNCOMPRESSED_BYTES", 16 * 1000 ** 3),
    maxCompressionRatio: number("IISWATCH_MAX_COMPRESSION_RATIO", 200),
    maxRecordBytes: number("IISWATCH_MAX_RECORD_BYTES", 4 * 1024 * 1024),
  };
}
