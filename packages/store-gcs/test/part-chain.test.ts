import { isTusError } from '@tuskit/core';
import { randomData, sha256, openUpload } from '@tuskit/core/testing';
import { afterAll, expect, it } from 'vitest';
import { ObjectLayout } from '../src/layout.js';
import { countingProxy, type CountingProxy } from './support/counting-proxy.js';
import { describeWithFakeGcs } from './support/fake-gcs.js';

const KEY_PREFIX = 'part-chain/';
const PART = 100_000;
const layout = new ObjectLayout(KEY_PREFIX);
let counter = 0;

async function* chunksOf(data: Uint8Array, size: number): AsyncIterable<Uint8Array> {
  for (let at = 0; at < data.length; at += size) yield data.subarray(at, at + size);
}

describeWithFakeGcs('GcsStore part chain: parts uploading at once, joining in order, merged when it would outgrow a compose', (gcs) => {
  let proxy: CountingProxy | undefined;
  afterAll(() => proxy?.close());

  const created = async (size: number) => {
    const id = `flight-${counter++}-${Date.now().toString(36)}`;
    await gcs.store({ keyPrefix: KEY_PREFIX }).create({ id, size, metadata: {}, createdAt: new Date() });
    return id;
  };

  it('stores a body sent three parts at a time byte for byte', async () => {
    const store = gcs.store({ keyPrefix: KEY_PREFIX, partSize: PART, partConcurrency: 3 });
    const data = randomData(7 * PART + 123);
    const id = await created(data.length);
    expect(await (await openUpload(store, id)).write(0, chunksOf(data, 16_384))).toBe(data.length);
    const final = await (await openUpload(store, id)).finalize();
    expect(await sha256(await store.read(id))).toBe(await sha256(data));
    expect(await gcs.leftovers(id, KEY_PREFIX)).toEqual([final.name]);
  });

  it('keeps only the parts before a failed one: a part stored beyond the gap is deleted, and the upload resumes', async () => {
    const data = randomData(5 * PART);
    const id = await created(data.length);
    const second = layout.partName(id, PART, 2 * PART);
    const third = layout.partName(id, 2 * PART, 3 * PART);
    let thirdStored!: () => void;
    const thirdDone = new Promise<void>((resolve) => (thirdStored = resolve));
    proxy = await countingProxy(gcs.target.endpoint, async ({ url, body }, forward) => {
      const text = url + body.toString('latin1');
      if (text.includes(third)) {
        await forward();
        thirdStored();
      }
      // The second part fails, every attempt, once the third one is stored.
      if (text.includes(second)) return thirdDone.then(() => 503);
      return undefined;
    });
    const failing = gcs.store({
      keyPrefix: KEY_PREFIX,
      partSize: PART,
      partConcurrency: 2,
      storage: {
        apiEndpoint: proxy.endpoint,
        projectId: gcs.target.projectId,
        retryOptions: { maxRetries: 1, retryDelayMultiplier: 1, maxRetryDelay: 1, totalTimeout: 10 },
      },
    });

    await expect((await openUpload(failing, id)).write(0, chunksOf(data, 16_384))).rejects.toSatisfy((error) => isTusError(error, 'store_unavailable'));
    expect(await gcs.leftovers(id, KEY_PREFIX)).toEqual([layout.partName(id, 0, PART), `${KEY_PREFIX}.tus/${id}/info`].sort());
    expect(proxy.requests.filter((r) => r.startsWith('DELETE')).length).toBeGreaterThan(0);

    const store = gcs.store({ keyPrefix: KEY_PREFIX, partSize: PART, partConcurrency: 2 });
    expect((await store.open(id))?.info.offset).toBe(PART);
    expect(await (await openUpload(store, id)).write(PART, chunksOf(data.subarray(PART), 16_384))).toBe(data.length);
    const final = await (await openUpload(store, id)).finalize();
    expect(await sha256(await store.read(id))).toBe(await sha256(data));
    expect(await gcs.leftovers(id, KEY_PREFIX)).toEqual([final.name]);
  });

  it.each([
    [32, 1],
    [33, 2],
  ])('finalizes a chain of %i parts with %i compose request(s)', async (parts, composes) => {
    const counter = await countingProxy(gcs.target.endpoint);
    try {
      const store = gcs.store({
        keyPrefix: KEY_PREFIX,
        partSize: 1000,
        storage: { apiEndpoint: counter.endpoint, projectId: gcs.target.projectId },
      });
      const data = randomData(parts * 1000);
      const id = await created(data.length);
      for (let at = 0; at < data.length; at += 8000) {
        await (await openUpload(store, id)).write(at, chunksOf(data.subarray(at, at + 8000), 3000));
      }
      await (await openUpload(store, id)).finalize();
      expect(counter.requests.filter((r) => r.endsWith('/compose'))).toHaveLength(composes);
      expect(await sha256(await store.read(id))).toBe(await sha256(data));
    } finally {
      await counter.close();
    }
  });
});
