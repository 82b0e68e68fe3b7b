import { isTusError, type UploadHandle } from '@tuskit/core';
import { randomData, sha256, openUpload } from '@tuskit/core/testing';
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

describeWithFakeGcs('GcsStore reusing what open listed', (gcs) => {
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
    await (await openUpload(s, id)).write(0, bodyOf(data.subarray(0, 150_000)));
    return id;
  }

  /** Writes the next 1,000 bytes through `upload`, counting what it sends. */
  async function patch(upload: UploadHandle, data: Uint8Array): Promise<{ offset: number; sent: Tally }> {
    let offset = 0;
    const at = upload.info.offset;
    const sent = await counted(async () => {
      offset = await upload.write(at, bodyOf(data.subarray(at, at + 1000)));
    });
    return { offset, sent };
  }

  async function finish(s: GcsStore, id: string, data: Uint8Array, offset: number): Promise<void> {
    expect(await (await openUpload(s, id)).write(offset, bodyOf(data.subarray(offset)))).toBe(data.length);
    await (await openUpload(s, id)).finalize();
    expect(await sha256(await s.read(id))).toBe(await sha256(data));
    expect(await gcs.leftovers(id, KEY_PREFIX)).toEqual([`${KEY_PREFIX}${id}`]);
  }

  it('loads the upload when opened, and a handle\'s first write loads nothing more', async () => {
    const s = store();
    const data = randomData(SIZE);
    const id = await midUpload(s, data);
    let upload!: UploadHandle;
    expect(await counted(async () => (upload = await openUpload(s, id)))).toEqual(oneLoad(id));
    const first = await patch(upload, data);
    const second = await patch(upload, data);
    expect([first.offset, second.offset]).toEqual([151_000, 152_000]);
    expect(upload.info.offset).toBe(second.offset);
    // The second write cannot start from what `open` loaded: the first changed it.
    expect(difference(second.sent, first.sent)).toEqual(oneLoad(id));
    await finish(s, id, data, second.offset);
  });

  it('uses what open loaded at most once', async () => {
    const s = store();
    const data = randomData(SIZE);
    const id = await midUpload(s, data);
    const upload = await openUpload(s, id);
    const loaded = upload.info.offset;
    const { offset } = await patch(upload, data);
    // Starting from the loaded state again would take bytes at its stale offset.
    await expect(upload.write(loaded, bodyOf(randomData(10)))).rejects.toSatisfy((e) =>
      isTusError(e, 'offset_mismatch'),
    );
    expect((await s.open(id))?.info.offset).toBe(offset);
    await finish(s, id, data, offset);
  });

  it('still deletes the debris and superseded parts open listed', async () => {
    const s = store();
    const data = randomData(SIZE);
    const id = await midUpload(s, data);
    const bucket = gcs.storage.bucket(gcs.bucket);
    const staging = `${KEY_PREFIX}.tus/${id}/`;
    // A source of an interrupted merge, overlapped by the part holding [0, 100000), and an unknown object.
    const superseded = `${staging}0000000000000000-0000000000050000`;
    await bucket.file(superseded).save(Buffer.from(data.subarray(0, 50_000)), { resumable: false });
    await bucket.file(`${staging}debris`).save('?', { resumable: false });
    const reused = await patch(await openUpload(s, id), data);
    expect(reused.offset).toBe(151_000);
    // Deleted by the write from what `open` listed: the write lists nothing itself.
    expect(reused.sent[`GET /storage/v1/b/${gcs.bucket}/o`]).toBeUndefined();
    const names = await gcs.leftovers(id, KEY_PREFIX);
    expect(names).not.toContain(superseded);
    expect(names).not.toContain(`${staging}debris`);
    await finish(s, id, data, reused.offset);
  });
});
