import type { UploadInfo } from '@tuskit/core';
import { headObject, type Bucket } from './bucket.js';
import { readInfo, type InfoRecord } from './info.js';
import type { UploadKeys } from './keys.js';
import { contiguousParts, listParts, type StoredPart } from './multipart.js';
import { listTail, tailChain, type TailSegment } from './tail.js';

/**
 * An upload as S3 holds it. The offset is derived, never stored: the sizes
 * of the parts numbered 1, 2, 3, … plus the tail segments of the next part.
 */
export interface UploadState {
  keys: UploadKeys;
  record: InfoRecord;
  etag: string;
  /** The parts that count, 1..n without a gap. */
  parts: StoredPart[];
  /** The recorded multipart upload still exists (parts can be added to it). */
  multipartLive: boolean;
  /** The final object exists (the multipart upload was completed). */
  completed: boolean;
  /** The tail segments of part `parts.length + 1` that count. */
  tail: TailSegment[];
  /** Segments left over by interrupted writes, to delete. */
  staleTail: TailSegment[];
  offset: number;
  lastWriteAt: Date | undefined;
}

/**
 * Loads an upload's state: the record and the tail segments in parallel,
 * then the parts. Undefined for an unknown upload.
 *
 * @example
 * ```ts
 * const state = await loadState(bucket, new UploadKeys(prefix, id));
 * ```
 */
export async function loadState(bucket: Bucket, keys: UploadKeys): Promise<UploadState | undefined> {
  const [info, segments] = await Promise.all([readInfo(bucket, keys.info), listTail(bucket, keys)]);
  if (!info) return undefined;
  const { record } = info;
  const live = record.uploadId !== undefined && !record.finalized;
  const listed = live ? await listParts(bucket, keys.object, record.uploadId ?? '') : undefined;
  const base = { keys, record, etag: info.etag, multipartLive: listed !== undefined };
  if (record.finalized || (record.uploadId && !listed)) {
    // Completed (or completed just before a crash kept it from being recorded).
    const object = await headObject(bucket, keys.object);
    if (object) return completedState(base, segments, object);
    if (record.finalized) return undefined;
  }
  const parts = contiguousParts(listed ?? []);
  const tail = tailChain(segments, parts.length + 1);
  return {
    ...base,
    parts,
    completed: false,
    tail,
    staleTail: segments.filter((s) => !tail.includes(s)),
    offset: sum(parts) + sum(tail),
    lastWriteAt: latest([...parts, ...tail]),
  };
}

/**
 * The core's view of a state.
 *
 * @example
 * ```ts
 * return toUploadInfo(await loadState(bucket, keys));
 * ```
 */
export function toUploadInfo(state: UploadState): UploadInfo {
  const { record } = state;
  return {
    id: record.id,
    size: record.size,
    offset: state.offset,
    metadata: record.metadata,
    createdAt: new Date(record.createdAt),
    lastWriteAt: state.lastWriteAt,
    media: record.media,
    finalized: state.completed,
    ...(record.concat && { concat: record.concat }),
  };
}

function completedState(
  base: Pick<UploadState, 'keys' | 'record' | 'etag' | 'multipartLive'>,
  segments: TailSegment[],
  object: { size: number; lastModified: Date | undefined },
): UploadState {
  return {
    ...base,
    parts: [],
    completed: true,
    tail: [],
    staleTail: segments,
    offset: object.size,
    lastWriteAt: object.lastModified,
  };
}

function sum(items: readonly { size: number }[]): number {
  return items.reduce((total, item) => total + item.size, 0);
}

function latest(items: readonly { lastModified: Date | undefined }[]): Date | undefined {
  let last: Date | undefined;
  for (const { lastModified } of items) if (lastModified && (!last || lastModified > last)) last = lastModified;
  return last;
}
