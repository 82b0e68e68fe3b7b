import { HeadObjectCommand } from '@aws-sdk/client-s3';
import { sha256, wavFile } from '@tuskit/core/testing';
import { expect, it } from 'vitest';
import { MAX_TAIL_SEGMENTS } from '../src/part-writer.js';
import { TusServer, headOffset, patch } from './support/http.js';
import { describeWithMinio, finalizedObjects } from './support/minio.js';

const KiB = 1024;
const MiB = 1024 * KiB;

// A file of its own: the longest scenario runs beside the others.
await describeWithMinio('S3Store over HTTP with many small PATCHes', (minio) => {
  it('takes 1,000 PATCHes of 10 KiB and completes byte-exact with the detected Content-Type', async () => {
    const bucket = await minio.newBucket();
    const store = minio.store({ bucket, partSize: 5 * MiB });
    const server = await new TusServer().start(store);
    const data = wavFile(1000 * 10 * KiB);
    const { id, url } = await server.create(data.length);
    for (let offset = 0; offset < data.length; offset += 10 * KiB) {
      const response = await patch(url, offset, data.subarray(offset, offset + 10 * KiB));
      expect(response.status).toBe(204);
      expect(response.headers.get('upload-offset')).toBe(String(offset + 10 * KiB));
      if (offset === 700 * 10 * KiB) {
        // One part so far; the rest is a handful of tail segments, merged as they pile up.
        expect(await minio.partSizes(id, bucket)).toEqual([5 * MiB]);
        const { objects } = await minio.contents(bucket, `${id}.tail/`);
        expect(objects.length).toBeGreaterThan(0);
        expect(objects.length).toBeLessThanOrEqual(MAX_TAIL_SEGMENTS + 1);
      }
    }
    expect(await headOffset(url)).toBe(data.length);
    expect(await sha256(await store.read(id))).toBe(await sha256(data));
    const object = await minio.raw.send(new HeadObjectCommand({ Bucket: bucket, Key: id }));
    expect(object).toMatchObject({ ContentLength: data.length, ContentType: 'audio/wav' });
    expect(await minio.contents(bucket)).toEqual(finalizedObjects([id]));
    await server.stop();
  }, 180_000);
});
