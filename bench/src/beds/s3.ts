import { DeleteObjectsCommand, GetObjectCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { createBucket, createS3Client, startMinio, type S3Target } from '@tuskit/testkit';
import type { Readable } from 'node:stream';
import { digestOf, storageOf, type Bed } from './bed.js';

/** Part size and part concurrency of every S3 row that has such settings. */
export interface S3Parts {
  partSize: number;
  queueSize: number;
}

/**
 * One MinIO (through `@tuskit/testkit`), one bucket per target.
 *
 * @example
 * ```ts
 * const bed = await s3Bed({ partSize: 8 * MiB, queueSize: 4 });
 * ```
 */
export async function s3Bed(parts: S3Parts): Promise<Bed> {
  const minio = await startMinio();
  const client = createS3Client(minio);
  return {
    backend: 's3',
    description: `MinIO ${process.env.TUSKIT_MINIO_IMAGE ?? 'minio/minio'} (${minio.kind}) at ${minio.endpoint}`,
    async prepare(targetId) {
      const bucket = await createBucket(minio, `bench-${targetId}-${Date.now().toString(36)}`);
      return { backend: 's3', s3: settingsOf(minio, bucket), ...parts };
    },
    async digest(storage, key) {
      const { s3 } = storageOf(storage, 's3');
      const object = await client.send(new GetObjectCommand({ Bucket: s3.bucket, Key: key }));
      return digestOf(object.Body as Readable);
    },
    async clear(storage) {
      await emptyBucket(client, storageOf(storage, 's3').s3.bucket);
    },
    async close() {
      client.destroy();
      await minio.stop();
    },
  };
}

function settingsOf(minio: S3Target, bucket: string) {
  const { endpoint, region, accessKeyId, secretAccessKey, forcePathStyle } = minio;
  return { endpoint, region, accessKeyId, secretAccessKey, forcePathStyle, bucket };
}

async function emptyBucket(client: S3Client, bucket: string): Promise<void> {
  for (;;) {
    const listed = await client.send(new ListObjectsV2Command({ Bucket: bucket }));
    const keys = (listed.Contents ?? []).flatMap((o) => (o.Key ? [{ Key: o.Key }] : []));
    if (keys.length === 0) return;
    await client.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: keys, Quiet: true } }));
  }
}
