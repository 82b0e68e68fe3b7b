import { TusError, type MediaInfo, type NewUpload, type UploadConcat, type UploadInfo } from '@tuskit/core';
import type { PartChain } from './chain.js';

/** The custom metadata key holding the record, on the info object and on the finished object. */
export const RECORD_KEY = 'tusUpload';
/** GCS allows 8 KiB of custom metadata per object; keep room for anything else set on it. */
const MAX_RECORD_BYTES = 6 * 1024;

/** What the store remembers of an upload besides its bytes. Never holds the offset. */
export interface UploadRecord {
  /** Absent while the length is deferred. */
  size?: number | undefined;
  createdAt: string;
  metadata: Record<string, string>;
  media?: MediaInfo | undefined;
  /** Only on the finished object: the last write before finalization. */
  lastWriteAt?: string | undefined;
  /** A partial or final upload of the concatenation extension. */
  concat?: UploadConcat | undefined;
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
  const concat = upload.concat && { concat: upload.concat };
  return { size: upload.size, createdAt: upload.createdAt.toISOString(), metadata: { ...upload.metadata }, ...concat };
}

/**
 * The record as custom object metadata; refuses records GCS would reject.
 *
 * @example
 * ```ts
 * await file.setMetadata({ metadata: encodeRecord(record) });
 * ```
 */
export function encodeRecord(record: UploadRecord): Record<string, string> {
  const json = JSON.stringify(record);
  if (Buffer.byteLength(json) > MAX_RECORD_BYTES) {
    throw new TusError('invalid_metadata', `Upload-Metadata is too large for GCS custom metadata (max ${MAX_RECORD_BYTES} bytes).`);
  }
  return { [RECORD_KEY]: json };
}

/**
 * Reads the record back from custom object metadata; `undefined` when the
 * object carries none (e.g. an unrelated object at the same name).
 *
 * @example
 * ```ts
 * const record = decodeRecord(object.metadata);
 * ```
 */
export function decodeRecord(metadata: Record<string, string> | undefined): UploadRecord | undefined {
  const json = metadata?.[RECORD_KEY];
  if (json === undefined) return undefined;
  try {
    const record = JSON.parse(json) as Partial<UploadRecord>;
    const size = record.size === undefined || typeof record.size === 'number';
    return size && typeof record.createdAt === 'string' ? (record as UploadRecord) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The core's view of an incomplete upload: the offset comes from the parts.
 *
 * @example
 * ```ts
 * const info = liveUploadInfo('a1', record, resolveChain(parts));
 * ```
 */
export function liveUploadInfo(id: string, record: UploadRecord, chain: PartChain): UploadInfo {
  return { ...common(id, record), offset: chain.offset, lastWriteAt: chain.lastWriteAt, finalized: false };
}

/**
 * The core's view of a finalized upload.
 *
 * @example
 * ```ts
 * const info = finalUploadInfo('a1', decodeRecord(final.metadata)!, final.size);
 * ```
 */
export function finalUploadInfo(id: string, record: UploadRecord, size: number): UploadInfo {
  const lastWriteAt = record.lastWriteAt === undefined ? undefined : new Date(record.lastWriteAt);
  return { ...common(id, record), size, offset: size, lastWriteAt, finalized: true };
}

function common(id: string, record: UploadRecord): Pick<UploadInfo, 'id' | 'size' | 'metadata' | 'createdAt' | 'media' | 'concat'> {
  return {
    id,
    size: record.size,
    metadata: { ...record.metadata },
    createdAt: new Date(record.createdAt),
    ...(record.media && { media: record.media }),
    ...(record.concat && { concat: record.concat }),
  };
}
