import { GetObjectCommand, HeadObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { TusError, type MediaInfo, type UploadConcat } from '@tuskit/core';
import type { Bucket } from './bucket.js';
import { isConditionFailed, isMissing, s3 } from './errors.js';

/**
 * What `<id>.info` holds. The offset is never stored: it is derived from the
 * parts and tail segments in S3, so a PATCH writes no record.
 */
export interface InfoRecord {
  id: string;
  /** Absent while the length is deferred. */
  size?: number | undefined;
  metadata: Record<string, string>;
  createdAt: string;
  /** Part size of this upload, fixed at creation. */
  partSize: number;
  /** The multipart upload, once the first part was cut. */
  uploadId?: string;
  media?: MediaInfo;
  finalized: boolean;
  /** A partial or final upload of the concatenation extension. */
  concat?: UploadConcat;
}

/** A record with the ETag it was read or written with, for conditional writes. */
export interface StoredInfo {
  record: InfoRecord;
  etag: string;
}

/**
 * Reads an upload's record; undefined when there is none.
 *
 * @example
 * ```ts
 * const info = await readInfo(bucket, keys.info);
 * ```
 */
export async function readInfo(bucket: Bucket, key: string): Promise<StoredInfo | undefined> {
  try {
    const object = await s3(bucket.client.send(new GetObjectCommand({ Bucket: bucket.name, Key: key })));
    const text = await s3(object.Body?.transformToString() ?? Promise.resolve('{}'));
    return { record: JSON.parse(text) as InfoRecord, etag: object.ETag ?? '' };
  } catch (error) {
    if (isMissing(error)) return undefined;
    throw error;
  }
}

/**
 * Writes a new record, refusing to replace one (`If-None-Match: *`).
 *
 * @example
 * ```ts
 * const etag = await createInfo(bucket, keys.info, record); // TusError('upload_exists') when taken
 * ```
 */
export async function createInfo(bucket: Bucket, key: string, record: InfoRecord): Promise<string> {
  try {
    return await putInfo(bucket, key, record, { IfNoneMatch: '*' });
  } catch (error) {
    if (isConditionFailed(error)) throw new TusError('upload_exists');
    throw error;
  }
}

/**
 * Replaces a record only if it is still the one with `etag`. Resolves the
 * new ETag, or undefined when the upload was removed or changed meanwhile,
 * so a write racing a removal can never bring the record back.
 *
 * @example
 * ```ts
 * const etag = await replaceInfo(bucket, keys.info, { ...info.record, finalized: true }, info.etag);
 * ```
 */
export async function replaceInfo(
  bucket: Bucket,
  key: string,
  record: InfoRecord,
  etag: string,
): Promise<string | undefined> {
  try {
    return await putInfo(bucket, key, record, { IfMatch: etag });
  } catch (error) {
    if (isConditionFailed(error) || isMissing(error)) return undefined;
    throw error;
  }
}

/**
 * True while the record is still the one with `etag`: a write checks this
 * after each object it adds, and undoes its work when the upload is gone.
 *
 * @example
 * ```ts
 * if (!(await infoUnchanged(bucket, keys.info, etag))) await undo();
 * ```
 */
export async function infoUnchanged(bucket: Bucket, key: string, etag: string): Promise<boolean> {
  try {
    await s3(bucket.client.send(new HeadObjectCommand({ Bucket: bucket.name, Key: key, IfMatch: etag })));
    return true;
  } catch (error) {
    if (isConditionFailed(error) || isMissing(error)) return false;
    throw error;
  }
}

async function putInfo(
  bucket: Bucket,
  key: string,
  record: InfoRecord,
  condition: { IfMatch: string } | { IfNoneMatch: '*' },
): Promise<string> {
  const written = await s3(
    bucket.client.send(
      new PutObjectCommand({
        Bucket: bucket.name,
        Key: key,
        Body: JSON.stringify(record),
        ContentType: 'application/json',
        ...condition,
      }),
    ),
  );
  return written.ETag ?? '';
}
