import { CreateMultipartUploadCommand, ListPartsCommand, UploadPartCommand } from '@aws-sdk/client-s3';
import { randomData, sha256, openUpload } from '@tuskit/core/testing';
import { s3ClientConfig } from '@tuskit/testkit';
import { Readable } from 'node:stream';
import { expect, it } from 'vitest';
import { createS3StoreClient } from '../src/index.js';
import { StreamedPart } from '../src/streamed-part.js';
import { bodyOf, describeWithMinio } from './support/minio.js';

const MiB = 1024 * 1024;

await describeWithMinio('StreamedPart and streamed parts of S3Store against MinIO', (minio) => {
  async function multipart(key: string): Promise<string> {
    const started = await minio.raw.send(new CreateMultipartUploadCommand({ Bucket: minio.bucket, Key: key }));
    return started.UploadId ?? '';
  }

  async function partsOf(key: string, uploadId: string): Promise<Array<{ number?: number; size?: number }>> {
    const listed = await minio.raw.send(new ListPartsCommand({ Bucket: minio.bucket, Key: key, UploadId: uploadId }));
    return (listed.Parts ?? []).map((part) => ({ number: part.PartNumber, size: part.Size }));
  }

  function bucketOf(client = minio.storeClient) {
    return { client, name: minio.bucket };
  }

  it('stores a part pushed in pieces, as S3 receives it', async () => {
    const uploadId = await multipart('streamed-whole');
    const data = randomData(5 * MiB);
    const streamed = new StreamedPart(bucketOf(), { key: 'streamed-whole', uploadId, partNumber: 1, length: data.length });
    for (let at = 0; at < data.length; at += MiB) streamed.push(data.subarray(at, at + MiB));
    expect(streamed.complete).toBe(true);
    expect(await streamed.settled).toBeUndefined();
    expect(await partsOf('streamed-whole', uploadId)).toEqual([{ number: 1, size: data.length }]);
  });

  it('leaves no part when aborted before the declared length arrived', async () => {
    const uploadId = await multipart('streamed-cut');
    const streamed = new StreamedPart(bucketOf(), { key: 'streamed-cut', uploadId, partNumber: 1, length: 5 * MiB });
    streamed.push(randomData(3 * MiB));
    await streamed.abort();
    expect(await streamed.settled).toBeInstanceOf(Error);
    // A later request on the same multipart upload is served after the cut one ended.
    await minio.raw.send(
      new UploadPartCommand({ Bucket: minio.bucket, Key: 'streamed-cut', UploadId: uploadId, PartNumber: 2, Body: 'x' }),
    );
    expect(await partsOf('streamed-cut', uploadId)).toEqual([{ number: 2, size: 1 }]);
  });

  it('streams a PATCH that fills parts and cuts the stream of the part it leaves short', async () => {
    const store = minio.store({ partSize: 5 * MiB });
    const data = randomData(12 * MiB);
    const id = 'streamed-patches';
    await store.create({ id, size: data.length, metadata: {}, createdAt: new Date() });
    expect(await (await openUpload(store, id)).write(0, bodyOf(data.subarray(0, 5 * MiB), data.subarray(5 * MiB, 7 * MiB)))).toBe(7 * MiB);
    expect(await minio.partSizes(id)).toEqual([5 * MiB]);
    expect(await (await openUpload(store, id)).write(7 * MiB, bodyOf(data.subarray(7 * MiB)))).toBe(data.length);
    expect(await minio.partSizes(id)).toEqual([5 * MiB, 5 * MiB, 2 * MiB]);
    await (await openUpload(store, id)).finalize();
    expect(await sha256(await store.read(id))).toBe(await sha256(data));
  });

  it('uploads a full part again from its buffer when its stream fails', async () => {
    const client = createS3StoreClient(s3ClientConfig(minio.target));
    const refused: number[] = [];
    client.middlewareStack.add(
      (next, context) => async (args) => {
        const input = args.input as { Body?: unknown; PartNumber?: number };
        if (context.commandName === 'UploadPartCommand' && input.Body instanceof Readable) {
          refused.push(input.PartNumber ?? 0);
          throw new Error('streamed part refused');
        }
        return next(args);
      },
      { step: 'initialize', name: 'refuseStreamedParts' },
    );
    const store = minio.store({ partSize: 5 * MiB, client });
    const data = randomData(11 * MiB);
    const id = 'streamed-refused';
    await store.create({ id, size: data.length, metadata: {}, createdAt: new Date() });
    expect(await (await openUpload(store, id)).write(0, bodyOf(data))).toBe(data.length);
    expect(refused[0]).toBe(1);
    expect(await minio.partSizes(id)).toEqual([5 * MiB, 5 * MiB, MiB]);
    await (await openUpload(store, id)).finalize();
    expect(await sha256(await store.read(id))).toBe(await sha256(data));
    client.destroy();
  });

  it('never streams with streamParts: false', async () => {
    const client = createS3StoreClient(s3ClientConfig(minio.target));
    const bodies: string[] = [];
    client.middlewareStack.add(
      (next, context) => async (args) => {
        const input = args.input as { Body?: unknown };
        if (context.commandName === 'UploadPartCommand') bodies.push(input.Body instanceof Readable ? 'stream' : 'buffer');
        return next(args);
      },
      { step: 'initialize', name: 'recordPartBodies' },
    );
    const data = randomData(11 * MiB);
    for (const [id, streamParts] of [['buffered-only', false], ['streamed-default', true]] as const) {
      const store = minio.store({ partSize: 5 * MiB, client, streamParts });
      await store.create({ id, size: data.length, metadata: {}, createdAt: new Date() });
      bodies.length = 0;
      expect(await (await openUpload(store, id)).write(0, bodyOf(data))).toBe(data.length);
      if (streamParts) expect(bodies).toContain('stream');
      else expect(bodies).toEqual(['buffer', 'buffer', 'buffer']);
      await (await openUpload(store, id)).finalize();
      expect(await sha256(await store.read(id))).toBe(await sha256(data));
    }
    client.destroy();
  });
});
