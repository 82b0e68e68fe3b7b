import {
  DeleteObjectsCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { isMissing, s3 } from './errors.js';

/** The client and bucket every S3 call of a store goes to. */
export interface Bucket {
  readonly client: S3Client;
  readonly name: string;
}

/** One listed or headed object. */
export interface ObjectEntry {
  key: string;
  size: number;
  lastModified: Date | undefined;
}

/** DeleteObjects takes at most this many keys. */
const DELETE_BATCH = 1000;

/**
 * Every object under `prefix`, page by page; with `delimiter` only the
 * objects directly under it.
 *
 * @example
 * ```ts
 * for await (const object of listObjects(bucket, 'uploads/', '/')) console.log(object.key);
 * ```
 */
export async function* listObjects(bucket: Bucket, prefix: string, delimiter?: string): AsyncIterable<ObjectEntry> {
  let token: string | undefined;
  do {
    const page = await s3(
      bucket.client.send(
        new ListObjectsV2Command({ Bucket: bucket.name, Prefix: prefix, Delimiter: delimiter, ContinuationToken: token }),
      ),
    );
    for (const object of page.Contents ?? []) {
      if (object.Key) yield { key: object.Key, size: object.Size ?? 0, lastModified: object.LastModified };
    }
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
}

/**
 * Size and modification time of an object; undefined when it does not exist.
 *
 * @example
 * ```ts
 * const object = await headObject(bucket, 'uploads/a1');
 * ```
 */
export async function headObject(bucket: Bucket, key: string): Promise<ObjectEntry | undefined> {
  try {
    const head = await s3(bucket.client.send(new HeadObjectCommand({ Bucket: bucket.name, Key: key })));
    return { key, size: head.ContentLength ?? 0, lastModified: head.LastModified };
  } catch (error) {
    if (isMissing(error)) return undefined;
    throw error;
  }
}

/**
 * Writes a whole object.
 *
 * @example
 * ```ts
 * await putObject(bucket, keys.tail(2, 0), bytes);
 * ```
 */
export async function putObject(bucket: Bucket, key: string, bytes: Uint8Array, contentType?: string): Promise<void> {
  await s3(
    bucket.client.send(
      new PutObjectCommand({
        Bucket: bucket.name,
        Key: key,
        Body: bytes,
        ContentLength: bytes.byteLength,
        ContentType: contentType,
      }),
    ),
  );
}

/**
 * Deletes keys in batches; missing keys are fine.
 *
 * @example
 * ```ts
 * await deleteKeys(bucket, ['uploads/a1', 'uploads/a1.info']);
 * ```
 */
export async function deleteKeys(bucket: Bucket, keys: readonly string[]): Promise<void> {
  for (let at = 0; at < keys.length; at += DELETE_BATCH) {
    const batch = keys.slice(at, at + DELETE_BATCH);
    const result = await s3(
      bucket.client.send(
        new DeleteObjectsCommand({
          Bucket: bucket.name,
          Delete: { Objects: batch.map((Key) => ({ Key })), Quiet: true },
        }),
      ),
    );
    const failed = result.Errors?.[0];
    if (failed) throw new Error(`S3 refused to delete ${failed.Key}: ${failed.Code} ${failed.Message}`);
  }
}
