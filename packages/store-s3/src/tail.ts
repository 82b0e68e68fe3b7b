import { GetObjectCommand } from '@aws-sdk/client-s3';
import PQueue from 'p-queue';
import { listObjects, type Bucket } from './bucket.js';
import { s3 } from './errors.js';
import type { UploadKeys } from './keys.js';

/**
 * A tail segment: bytes of part `partNumber`, from byte `start` of that part,
 * that a PATCH left below the part size. Each PATCH adds its own segment, so
 * small PATCHes never rewrite earlier bytes; the segments are read back once,
 * when their part is cut.
 */
export interface TailSegment {
  key: string;
  partNumber: number;
  start: number;
  size: number;
  lastModified: Date | undefined;
}

/** Segments read in parallel when a part is assembled. */
const READ_CONCURRENCY = 8;

/**
 * Every tail segment of an upload, valid or not.
 *
 * @example
 * ```ts
 * const segments = await listTail(bucket, keys);
 * ```
 */
export async function listTail(bucket: Bucket, keys: UploadKeys): Promise<TailSegment[]> {
  const segments: TailSegment[] = [];
  for await (const object of listObjects(bucket, keys.tailPrefix)) {
    const parsed = keys.parseTail(object.key);
    if (parsed) segments.push({ ...parsed, key: object.key, size: object.size, lastModified: object.lastModified });
  }
  return segments;
}

/**
 * The segments that count: those of `partNumber` (the part after the stored
 * parts) that follow each other from byte 0. Segments of a part already cut,
 * or of a part that never became current, are leftovers of an interrupted
 * write and are ignored.
 *
 * @example
 * ```ts
 * const chain = tailChain(await listTail(bucket, keys), parts.length + 1);
 * ```
 */
export function tailChain(segments: readonly TailSegment[], partNumber: number): TailSegment[] {
  const byStart = new Map<number, TailSegment>();
  for (const segment of segments) {
    if (segment.partNumber === partNumber && segment.size > 0) byStart.set(segment.start, segment);
  }
  const chain: TailSegment[] = [];
  let end = 0;
  for (let next = byStart.get(end); next; next = byStart.get(end)) {
    chain.push(next);
    end += next.size;
  }
  return chain;
}

/**
 * Reads segments into the front of a part buffer, each at its start.
 *
 * @example
 * ```ts
 * await readTailInto(bucket, chain, partBuffer);
 * ```
 */
export async function readTailInto(bucket: Bucket, segments: readonly TailSegment[], target: Buffer): Promise<void> {
  const queue = new PQueue({ concurrency: READ_CONCURRENCY });
  await Promise.all(segments.map((segment) => queue.add(() => readSegment(bucket, segment, target))));
}

async function readSegment(bucket: Bucket, segment: TailSegment, target: Buffer): Promise<void> {
  const object = await s3(bucket.client.send(new GetObjectCommand({ Bucket: bucket.name, Key: segment.key })));
  if (!object.Body) throw new Error(`S3 sent no body for ${segment.key}`);
  await s3(copyInto(target, segment, object.Body as AsyncIterable<Uint8Array>));
}

/**
 * Streams a segment into place: no second copy of it is ever held.
 */
async function copyInto(target: Buffer, segment: TailSegment, body: AsyncIterable<Uint8Array>): Promise<void> {
  const end = segment.start + segment.size;
  let at = segment.start;
  for await (const chunk of body) {
    if (at + chunk.byteLength > end) break;
    target.set(chunk, at);
    at += chunk.byteLength;
  }
  if (at !== end) throw new Error(`tail segment ${segment.key} does not hold the ${segment.size} bytes listed`);
}
