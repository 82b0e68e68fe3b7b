import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  ListMultipartUploadsCommand,
  ListPartsCommand,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import type { Bucket } from './bucket.js';
import { isMissing, s3 } from './errors.js';

/** A part S3 holds for a multipart upload. */
export interface StoredPart {
  number: number;
  size: number;
  etag: string;
  lastModified: Date | undefined;
}

/**
 * Starts a multipart upload; the final object gets `contentType`.
 *
 * @example
 * ```ts
 * const uploadId = await startMultipart(bucket, keys.object, 'video/mp4');
 * ```
 */
export async function startMultipart(bucket: Bucket, key: string, contentType?: string): Promise<string> {
  const started = await s3(
    bucket.client.send(new CreateMultipartUploadCommand({ Bucket: bucket.name, Key: key, ContentType: contentType })),
  );
  if (!started.UploadId) throw new Error(`S3 started a multipart upload of ${key} without an UploadId`);
  return started.UploadId;
}

/**
 * Every part of a multipart upload, in part-number order; undefined when the
 * multipart upload does not exist (completed, aborted or expired).
 *
 * @example
 * ```ts
 * const parts = await listParts(bucket, keys.object, uploadId);
 * ```
 */
export async function listParts(bucket: Bucket, key: string, uploadId: string): Promise<StoredPart[] | undefined> {
  const parts: StoredPart[] = [];
  let marker: string | undefined;
  try {
    do {
      const page = await s3(
        bucket.client.send(
          new ListPartsCommand({ Bucket: bucket.name, Key: key, UploadId: uploadId, PartNumberMarker: marker }),
        ),
      );
      for (const part of page.Parts ?? []) {
        parts.push({
          number: part.PartNumber ?? 0,
          size: part.Size ?? 0,
          etag: part.ETag ?? '',
          lastModified: part.LastModified,
        });
      }
      marker = page.IsTruncated ? page.NextPartNumberMarker : undefined;
    } while (marker);
  } catch (error) {
    if (isMissing(error)) return undefined;
    throw error;
  }
  return parts.sort((a, b) => a.number - b.number);
}

/**
 * The parts numbered 1, 2, 3, … without a gap. A part after a gap was
 * uploaded concurrently with one that never landed (a crash): its bytes do
 * not count, and it is overwritten when the upload resumes.
 *
 * @example
 * ```ts
 * contiguousParts([{ number: 1 }, { number: 3 }]); // [{ number: 1 }]
 * ```
 */
export function contiguousParts<P extends { number: number }>(parts: readonly P[]): P[] {
  const prefix: P[] = [];
  for (const part of parts) {
    if (part.number !== prefix.length + 1) break;
    prefix.push(part);
  }
  return prefix;
}

/**
 * Uploads one part.
 *
 * @example
 * ```ts
 * await uploadPart(bucket, keys.object, uploadId, 1, buffer.subarray(0, partSize));
 * ```
 */
export async function uploadPart(
  bucket: Bucket,
  key: string,
  uploadId: string,
  partNumber: number,
  body: Uint8Array,
): Promise<void> {
  await s3(
    bucket.client.send(
      new UploadPartCommand({
        Bucket: bucket.name,
        Key: key,
        UploadId: uploadId,
        PartNumber: partNumber,
        Body: body,
        ContentLength: body.byteLength,
      }),
    ),
  );
}

/**
 * Completes a multipart upload from the parts S3 listed.
 *
 * @example
 * ```ts
 * await completeMultipart(bucket, keys.object, uploadId, parts);
 * ```
 */
export async function completeMultipart(
  bucket: Bucket,
  key: string,
  uploadId: string,
  parts: readonly StoredPart[],
): Promise<void> {
  await s3(
    bucket.client.send(
      new CompleteMultipartUploadCommand({
        Bucket: bucket.name,
        Key: key,
        UploadId: uploadId,
        MultipartUpload: { Parts: parts.map((p) => ({ PartNumber: p.number, ETag: p.etag })) },
      }),
    ),
  );
}

/**
 * Aborts a multipart upload; one that is already gone is fine.
 *
 * @example
 * ```ts
 * await abortMultipart(bucket, keys.object, uploadId);
 * ```
 */
export async function abortMultipart(bucket: Bucket, key: string, uploadId: string): Promise<void> {
  try {
    await s3(bucket.client.send(new AbortMultipartUploadCommand({ Bucket: bucket.name, Key: key, UploadId: uploadId })));
  } catch (error) {
    if (!isMissing(error)) throw error;
  }
}

/**
 * Ids of every multipart upload in progress for exactly `key`.
 *
 * @example
 * ```ts
 * const pending = await multipartUploadsOf(bucket, keys.object);
 * ```
 */
export async function multipartUploadsOf(bucket: Bucket, key: string): Promise<string[]> {
  const ids: string[] = [];
  let keyMarker: string | undefined;
  let uploadIdMarker: string | undefined;
  do {
    const page = await s3(
      bucket.client.send(
        new ListMultipartUploadsCommand({
          Bucket: bucket.name,
          Prefix: key,
          KeyMarker: keyMarker,
          UploadIdMarker: uploadIdMarker,
        }),
      ),
    );
    for (const upload of page.Uploads ?? []) if (upload.Key === key && upload.UploadId) ids.push(upload.UploadId);
    keyMarker = page.IsTruncated ? page.NextKeyMarker : undefined;
    uploadIdMarker = page.IsTruncated ? page.NextUploadIdMarker : undefined;
  } while (keyMarker);
  return ids;
}

/**
 * Aborts every multipart upload of `key` but `keep`: catches uploads a crash
 * left behind before their id was recorded.
 *
 * @example
 * ```ts
 * await abortMultipartUploadsOf(bucket, keys.object); // all of them
 * ```
 */
export async function abortMultipartUploadsOf(bucket: Bucket, key: string, keep?: string): Promise<void> {
  const ids = await multipartUploadsOf(bucket, key);
  await Promise.all(ids.filter((id) => id !== keep).map((id) => abortMultipart(bucket, key, id)));
}
