import { GetObjectCommand, UploadPartCommand, UploadPartCopyCommand } from '@aws-sdk/client-s3';
import { Readable } from 'node:stream';
import type { Bucket } from './bucket.js';
import { s3 } from './errors.js';
import { MAX_PART_SIZE, MAX_PARTS, MIN_PART_SIZE } from './part-size.js';

/** Bytes `start` (inclusive) to `end` (exclusive) of source object `source`. */
export interface Piece {
  source: number;
  start: number;
  end: number;
}

/**
 * One part of the final object: a single piece is copied by S3 itself
 * (`UploadPartCopy`); several pieces are read and sent through the process.
 */
export type PlannedPart = readonly Piece[];

/**
 * Cuts the concatenation of objects of `sizes` into parts S3 accepts (all but
 * the last at least 5 MiB, none over 5 GiB), copying inside S3 whatever it
 * can: a source of 5 MiB or more becomes parts of its own, copied; sources
 * under 5 MiB are gathered with their neighbours' bytes into parts that are
 * sent through the process (under 10 MiB each, as S3 cannot copy a part from
 * several objects). A source that fills a short part gives it its head and
 * is copied from there on when enough of it is left.
 *
 * @example
 * ```ts
 * planParts([6 * MiB, 1000, 5 * MiB]); // [copy 0], [1000 bytes of 1 + 5 MiB - 1000 of 2], [1000 bytes of 2]
 * ```
 */
export function planParts(sizes: readonly number[], minPart = MIN_PART_SIZE, maxPart = MAX_PART_SIZE): PlannedPart[] {
  const parts: PlannedPart[] = [];
  let pending: Piece[] = [];
  let pendingSize = 0;
  const flush = () => {
    if (pending.length > 0) parts.push(pending);
    pending = [];
    pendingSize = 0;
  };
  for (const [source, size] of sizes.entries()) {
    let start = 0;
    if (pendingSize > 0 && pendingSize < minPart) {
      start = Math.min(size, minPart - pendingSize);
      if (start > 0) pending.push({ source, start: 0, end: start });
      pendingSize += start;
    }
    const rest = size - start;
    if (rest === 0) continue;
    if (pendingSize >= minPart) flush();
    if (rest >= minPart) {
      flush();
      const count = Math.ceil(rest / maxPart);
      const each = Math.ceil(rest / count);
      for (let from = start; from < size; from += each) parts.push([{ source, start: from, end: Math.min(size, from + each) }]);
    } else {
      pending.push({ source, start, end: size });
      pendingSize += rest;
    }
  }
  flush();
  if (parts.length > MAX_PARTS) throw new Error(`S3Store: concatenating these uploads needs ${parts.length} parts, more than S3's ${MAX_PARTS}`);
  return parts;
}

/** Where the parts go, and the objects they come from. */
export interface PartCopyTarget {
  key: string;
  uploadId: string;
  /** Object keys of the sources, by `Piece.source`. */
  sources: readonly string[];
}

/**
 * Uploads planned part `partNumber` (1-based): a single piece by
 * `UploadPartCopy`, several by one `UploadPart` streaming their ranges one
 * after the other (with backpressure, never more than a read-ahead in memory).
 */
export async function sendPart(bucket: Bucket, target: PartCopyTarget, partNumber: number, part: PlannedPart): Promise<void> {
  const [only] = part;
  const common = { Bucket: bucket.name, Key: target.key, UploadId: target.uploadId, PartNumber: partNumber };
  if (part.length === 1 && only) {
    const source = `${bucket.name}/${encodeURIComponent(target.sources[only.source] ?? '')}`;
    const range = `bytes=${only.start}-${only.end - 1}`;
    await s3(bucket.client.send(new UploadPartCopyCommand({ ...common, CopySource: source, CopySourceRange: range })));
    return;
  }
  const length = part.reduce((sum, piece) => sum + piece.end - piece.start, 0);
  const body = Readable.from(piecesOf(bucket, target.sources, part));
  await s3(bucket.client.send(new UploadPartCommand({ ...common, Body: body, ContentLength: length })));
}

async function* piecesOf(bucket: Bucket, sources: readonly string[], part: PlannedPart): AsyncGenerator<Uint8Array> {
  for (const piece of part) {
    const range = `bytes=${piece.start}-${piece.end - 1}`;
    const object = await s3(bucket.client.send(new GetObjectCommand({ Bucket: bucket.name, Key: sources[piece.source], Range: range })));
    yield* object.Body as Readable;
  }
}
