import { TusError, type MediaInfo, type NewUpload, type UploadInfo } from '@tuskit/core';

/** The blob metadata key holding the record (Azure lower-cases metadata names). */
export const RECORD_KEY = 'tusupload';
/** Azure allows 8 KiB of metadata per blob, names included; keep room for anything else set on it. */
const MAX_RECORD_BYTES = 6 * 1024;

/** What the store remembers of an upload besides its bytes. Never holds the offset. */
export interface UploadRecord {
  /** Absent while the length is deferred. */
  size?: number | undefined;
  createdAt: string;
  metadata: Record<string, string>;
  media?: MediaInfo | undefined;
  /** Set by finalization, with the time of the last write before it. */
  finalized?: { lastWriteAt: string } | undefined;
}

/**
 * The record of a new upload.
 *
 * @example
 * ```ts
 * newRecord({ id: 'a1', size: 100, metadata: {}, createdAt: new Date() }).size; // 100
 * ```
 */
export function newRecord(upload: NewUpload): UploadRecord {
  return { size: upload.size, createdAt: upload.createdAt.toISOString(), metadata: { ...upload.metadata } };
}

/**
 * The record as blob metadata. Metadata values travel as HTTP headers, so
 * the JSON is base64-encoded (Upload-Metadata may hold any Unicode);
 * records Azure would refuse are refused here with `invalid_metadata`.
 *
 * @example
 * ```ts
 * await blob.setMetadata(encodeRecord(record));
 * ```
 */
export function encodeRecord(record: UploadRecord): Record<string, string> {
  const encoded = Buffer.from(JSON.stringify(record)).toString('base64');
  if (encoded.length > MAX_RECORD_BYTES) {
    throw new TusError('invalid_metadata', `Upload-Metadata is too large for Azure blob metadata (max ${MAX_RECORD_BYTES} bytes encoded).`);
  }
  return { [RECORD_KEY]: encoded };
}

/**
 * Reads the record back from blob metadata; `undefined` when the blob
 * carries none (e.g. an unrelated blob at the same name).
 *
 * @example
 * ```ts
 * const record = decodeRecord(properties.metadata);
 * ```
 */
export function decodeRecord(metadata: Record<string, string> | undefined): UploadRecord | undefined {
  const encoded = metadata?.[RECORD_KEY];
  if (encoded === undefined) return undefined;
  try {
    const record = JSON.parse(Buffer.from(encoded, 'base64').toString('utf8')) as Partial<UploadRecord>;
    const size = record.size === undefined || typeof record.size === 'number';
    return size && typeof record.createdAt === 'string' ? (record as UploadRecord) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The core's view of an upload. While it is incomplete the offset is the
 * blob's committed length, which is the sum of its committed blocks: what
 * the service holds, never a counter of ours.
 *
 * @example
 * ```ts
 * const info = uploadInfo('a1', record, { length: 1024, lastModified: new Date() });
 * ```
 */
export function uploadInfo(id: string, record: UploadRecord, blob: { length: number; lastModified: Date }): UploadInfo {
  const { finalized } = record;
  const common = {
    id,
    size: record.size,
    metadata: { ...record.metadata },
    createdAt: new Date(record.createdAt),
    ...(record.media && { media: { ...record.media } }),
  };
  if (finalized) return { ...common, offset: blob.length, lastWriteAt: new Date(finalized.lastWriteAt), finalized: true };
  // A blob is created empty: its last change is a write only once it holds bytes.
  return { ...common, offset: blob.length, lastWriteAt: blob.length > 0 ? blob.lastModified : undefined, finalized: false };
}
