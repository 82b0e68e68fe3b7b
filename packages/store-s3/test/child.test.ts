import { sha256, wavFile } from '@tuskit/core/testing';
import { s3ClientConfig } from '@tuskit/testkit';
import { afterEach, expect, it } from 'vitest';
import { ChildServer } from './support/child.js';
import { TusServer, headOffset, rawPatch, upload } from './support/http.js';
import { describeWithMinio, finalizedObjects } from './support/minio.js';

const MiB = 1024 * 1024;
const children: ChildServer[] = [];

type ChildStoreOptions = { partSize: number; maxBufferedParts: number; partConcurrency: number };

await describeWithMinio('S3Store in a server process of its own', (minio) => {
  /** A child server over a bucket. */
  async function childOn(bucket: string, store: ChildStoreOptions) {
    const child = await ChildServer.start({ client: s3ClientConfig(minio.target), store: { bucket, ...store } });
    children.push(child);
    return child;
  }

  afterEach(async () => {
    await Promise.all(children.splice(0).map((child) => child.kill()));
  });

  it('streams a 200 MiB upload in 50 MiB PATCHes within maxBufferedParts × partSize of memory', async () => {
    const store = { partSize: 5 * MiB, maxBufferedParts: 2, partConcurrency: 1 };
    const bound = store.partSize * store.maxBufferedParts;
    const bucket = await minio.newBucket();
    const child = await childOn(bucket, store);
    const data = wavFile(200 * MiB);
    const { id, url } = await child.create(data.length);

    await child.resetMemory();
    expect(await upload(url, data, 50 * MiB)).toBe(data.length);
    const { baseline, peak } = await child.memory();
    // The child samples live memory (after a GC) every 50 ms. The growth allowed is less than one
    // PATCH, so a store that held a body would fail; the control below shows the sampling sees one.
    expect(peak.arrayBuffers - baseline.arrayBuffers).toBeLessThanOrEqual(bound + 16 * MiB);
    expect(peak.rss - baseline.rss).toBeLessThanOrEqual(bound + 32 * MiB);

    // Control: the same measurement does see a handler that holds a 50 MiB body.
    await child.resetMemory();
    expect(await child.sendToBufferingHandler(data.subarray(0, 50 * MiB))).toBe(50 * MiB);
    const control = await child.memory();
    expect(control.peak.arrayBuffers - control.baseline.arrayBuffers).toBeGreaterThan(bound + 16 * MiB);

    expect(await sha256(await minio.store({ bucket }).read(id))).toBe(await sha256(data));
    expect(await minio.contents(bucket)).toEqual(finalizedObjects([id]));
  }, 180_000);

  it('reports what S3 holds after a crash mid-PATCH and resumes byte-exact', async () => {
    const store = { partSize: 5 * MiB, maxBufferedParts: 2, partConcurrency: 1 };
    const bucket = await minio.newBucket();
    const child = await childOn(bucket, store);
    const data = wavFile(24 * MiB);
    const { id, url } = await child.create(data.length);

    const sent = 12 * MiB;
    const patching = rawPatch(url, 0, data.length);
    await patching.write(data.subarray(0, sent));
    await child.waitFor((e) => e.event === 'part' && e.partNumber === 2);
    await child.kill('SIGKILL');
    patching.req.destroy();

    const fresh = minio.store({ bucket, ...store });
    const offset = (await fresh.open(id))?.info.offset ?? -1;
    expect(offset).toBeLessThanOrEqual(sent);
    const inS3 = (await minio.partSizes(id, bucket)).reduce((a, b) => a + b, 0);
    expect((await minio.contents(bucket)).objects).toEqual([`${id}.info`]);
    expect(offset).toBe(inS3);
    expect(offset).toBe(10 * MiB);

    const server = await new TusServer().start(fresh);
    const resumedUrl = `${server.origin}/uploads/${id}`;
    expect(await headOffset(resumedUrl)).toBe(offset);
    expect(await upload(resumedUrl, data, 7 * MiB, offset)).toBe(data.length);
    expect(await sha256(await fresh.read(id))).toBe(await sha256(data));
    expect(await minio.contents(bucket)).toEqual(finalizedObjects([id]));
    await server.stop();
  });
});
