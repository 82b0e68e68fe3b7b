import { isTusError, type UploadInfo } from '@tuskit/core';
import { patchAsCore, randomData, sha256 } from '@tuskit/core/testing';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { GcsStore } from '../src/index.js';
import { countingProxy, type CountingProxy } from './support/counting-proxy.js';
import { describeWithFakeGcs } from './support/fake-gcs.js';

const KEY_PREFIX = 'loaded/';
const PART_SIZE = 100_000;
const SIZE = 400_000;
let counter = 0;

async function* bodyOf(...chunks: Uint8Array[]): AsyncIterable<Uint8Array> {
  yield* chunks;
}

/** Requests by `METHOD path`, each with how often it was sent. */
type Tally = Record<string, number>;

function tally(requests: readonly string[]): Tally {
  const result: Tally = {};
  for (const request of requests) result[request] = (result[request] ?? 0) + 1;
  return result;
}

/** `a - b`, leaving out what both sent as often. */
function difference(a: Tally, b: Tally): Tally {
  const result: Tally = {};
  for (const name of new Set([...Object.keys(a), ...Object.keys(b)])) {
    const delta = (a[name] ?? 0) - (b[name] ?? 0);
    if (delta !== 0) result[name] = delta;
  }
  return result;
}

describeWithFakeGcs('GcsStore reusing what get listed', (gcs) => {
  let proxy: CountingProxy;
  beforeAll(async () => {
    proxy = await countingProxy(gcs.target.endpoint);
  });
  afterAll(() => proxy.close());

  const store = () =>
    gcs.store({
      keyPrefix: KEY_PREFIX,
      partSize: PART_SIZE,
      storage: { apiEndpoint: proxy.endpoint, projectId: gcs.target.projectId },
    });

  /** What loading `id` sends once: the listing of its staging prefix and a lookup of its final name. */
  const oneLoad = (id: string): Tally => ({
    [`GET /storage/v1/b/${gcs.bucket}/o`]: 1,
    [`GET /storage/v1/b/${gcs.bucket}/o/${encodeURIComponent(`${KEY_PREFIX}${id}`)}`]: 1,
  });

  /** The requests `work` sent. */
  async function counted(work: () => Promise<unknown>): Promise<Tally> {
    const from = proxy.requests.length;
    await work();
    return tally(proxy.requests.slice(from));
  }

  /** An upload of {@link SIZE} bytes holding its first 150,000 in two parts. */
  async function midUpload(s: GcsStore, data: Uint8Array): Promise<string> {
    const id = `loaded-${Date.now().toString(36)}-${counter++}`;
    await s.create({ id, size: data.length, metadata: {}, createdAt: new Date() });
    await s.write(id, 0, bodyOf(data.subarray(0, 150_000)));
    return id;
  }

  /** One mid-upload PATCH as the core makes it: `get`, then `write` of 1,000 bytes, passing `loaded(upload)`. */
  async function patch(
    s: GcsStore,
    id: string,
    data: Uint8Array,
    loaded: (upload: UploadInfo) => Promise<UploadInfo | undefined> | UploadInfo | undefined,
  ): Promise<{ offset: number; sent: Tally }> {
    let offset = 0;
    const sent = await counted(async () => {
      offset = await patchAsCore(s, id, (at) => data.subarray(at, at + 1000), loaded);
    });
    return { offset, sent };
  }

  async function finish(s: GcsStore, id: string, data: Uint8Array, offset: number): Promise<void> {
    expect(await s.write(id, offset, bodyOf(data.subarray(offset)))).toBe(data.length);
    await s.finalize(id);
    expect(await sha256(await s.read(id))).toBe(await sha256(data));
    expect(await gcs.leftovers(id, KEY_PREFIX)).toEqual([`${KEY_PREFIX}${id}`]);
  }

  it('lists the upload once per PATCH when the core passes what get returned', async () => {
    const s = store();
    const data = randomData(SIZE);
    const id = await midUpload(s, data);
    const reused = await patch(s, id, data, (upload) => upload);
    const reloaded = await patch(s, id, data, () => undefined);
    expect([reused.offset, reloaded.offset]).toEqual([151_000, 152_000]);
    expect(difference(reloaded.sent, reused.sent)).toEqual(oneLoad(id));
    await finish(s, id, data, reloaded.offset);
  });

  it('lists again for an upload object this instance did not return', async () => {
    const s = store();
    const other = store();
    const data = randomData(SIZE);
    const id = await midUpload(s, data);
    const reloaded = await patch(s, id, data, () => undefined);
    const copied = await patch(s, id, data, (upload) => ({ ...upload }));
    // The other instance's `get` is counted too: one load more than a PATCH that loads twice.
    const foreign = await patch(s, id, data, () => other.get(id));
    expect([copied.offset, foreign.offset]).toEqual([152_000, 153_000]);
    expect(copied.sent).toEqual(reloaded.sent);
    expect(difference(foreign.sent, reloaded.sent)).toEqual(oneLoad(id));
    await finish(s, id, data, foreign.offset);
  });

  it('reuses what get listed at most once', async () => {
    const s = store();
    const data = randomData(SIZE);
    const id = await midUpload(s, data);
    const upload = (await s.get(id))!;
    const offset = await s.write(id, upload.offset, bodyOf(data.subarray(upload.offset, upload.offset + 1000)), upload);
    // Reusing the listing behind `upload` again would take bytes at its stale offset.
    await expect(s.write(id, upload.offset, bodyOf(randomData(10)), upload)).rejects.toSatisfy((e) =>
      isTusError(e, 'offset_mismatch'),
    );
    expect((await s.get(id))?.offset).toBe(offset);
    await finish(s, id, data, offset);
  });

  it('still deletes the debris and superseded parts get listed', async () => {
    const s = store();
    const data = randomData(SIZE);
    const id = await midUpload(s, data);
    const bucket = gcs.storage.bucket(gcs.bucket);
    const staging = `${KEY_PREFIX}.tus/${id}/`;
    // A source of an interrupted merge, overlapped by the part holding [0, 100000), and an unknown object.
    const superseded = `${staging}0000000000000000-0000000000050000`;
    await bucket.file(superseded).save(Buffer.from(data.subarray(0, 50_000)), { resumable: false });
    await bucket.file(`${staging}debris`).save('?', { resumable: false });
    const reused = await patch(s, id, data, (upload) => upload);
    expect(reused.offset).toBe(151_000);
    expect(reused.sent).toMatchObject(oneLoad(id));
    const names = await gcs.leftovers(id, KEY_PREFIX);
    expect(names).not.toContain(superseded);
    expect(names).not.toContain(`${staging}debris`);
    await finish(s, id, data, reused.offset);
  });
});
