import { randomBytes } from 'node:crypto';
import { GetObjectCommand, HeadBucketCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import type { S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createBucket, createS3Client, describeWithDocker, dockerAvailability, startMinio } from '../src/index.js';
import type { S3Target } from '../src/index.js';
import { containerExists } from './support.js';

const docker = await dockerAvailability();

describeWithDocker(docker, 'startMinio', () => {
  let s3: S3Target;
  let client: S3Client;

  beforeAll(async () => {
    s3 = await startMinio({ bucket: 'tuskit-initial' });
    client = createS3Client(s3);
  });

  afterAll(async () => {
    client?.destroy();
    await s3?.stop();
  });

  it('answers on loopback with the bucket it was asked for', async () => {
    if (s3.kind === 'minio') expect(s3.endpoint).toMatch(/^http:\/\/(127\.0\.0\.1|localhost):\d+$/);
    expect(s3.bucket).toBeDefined();
    await expect(client.send(new HeadBucketCommand({ Bucket: s3.bucket }))).resolves.toBeDefined();
  });

  it('round-trips bytes through a fresh bucket', async () => {
    const bucket = await createBucket(s3);
    const body = randomBytes(256 * 1024 + 7);

    await client.send(new PutObjectCommand({ Bucket: bucket, Key: 'nested/object.bin', Body: body }));
    const object = await client.send(new GetObjectCommand({ Bucket: bucket, Key: 'nested/object.bin' }));

    const bytes = await object.Body?.transformToByteArray();
    expect(bytes && Buffer.from(bytes).equals(body)).toBe(true);
  });

  it('removes the container on stop, and a second stop is harmless', async (context) => {
    const id = s3.containerId;
    if (id === undefined) return context.skip('external S3 endpoint: no container to remove');

    await s3.stop();
    await s3.stop();

    expect(await containerExists(id)).toBe(false);
  });
});
