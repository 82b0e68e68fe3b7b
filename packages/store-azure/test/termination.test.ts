import { readFileSync } from 'node:fs';
import { FIXTURES_DIR, wavFile } from '@tuskit/core/testing';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { blockId } from '../src/blocks.js';
import { describeWithAzurite } from './support/azurite.js';
import { serveTus, type ServedTus } from '@tuskit/testkit/served-tus';
import { fetchPatch, head, openPatch, terminate } from '@tuskit/testkit/tus-http';

const KiB = 1024;
const MiB = 1024 * KiB;
const DAY_MS = 24 * 3600 * 1000;
const KEY_PREFIX = 'termination/';

describeWithAzurite('AzureStore termination, rejection and expiry', (azure) => {
  let served: ServedTus;
  beforeAll(async () => {
    served = await serveTus(azure.store({ keyPrefix: KEY_PREFIX, blockSize: 64 * KiB }));
  });
  afterAll(() => served.close());

  const blobsOf = (id: string) => azure.leftovers(id, KEY_PREFIX);

  it('removes everything when the first chunk is not media', async () => {
    const pdf = readFileSync(`${FIXTURES_DIR}/not-media/document.pdf`);
    const { id, url } = await served.create(pdf.length);
    expect(await blobsOf(id)).toEqual([`${KEY_PREFIX}${id}`]);
    expect(await fetchPatch(url, 0, pdf)).toMatchObject({ status: 409 });
    expect((await head(url)).status).toBe(404);
    expect(served.calls.filter((call) => call.hook === 'onMediaRejected' && call.id === id)).toHaveLength(1);
    expect(await blobsOf(id)).toEqual([]);
  });

  it('removes a partly written upload, committed and uncommitted blocks, on DELETE', async () => {
    const data = wavFile(300 * KiB);
    const { id, url } = await served.create(data.length * 2);
    expect(await fetchPatch(url, 0, data)).toMatchObject({ status: 204 });
    // A block staged by a PATCH that never got to commit it (a crash between the two).
    await azure.container.getBlockBlobClient(`${KEY_PREFIX}${id}`).stageBlock(blockId(0, 5), 'stray', 5);
    expect(await blobsOf(id)).toEqual([`${KEY_PREFIX}${id} (uncommitted blocks)`]);
    expect(await terminate(url)).toBe(204);
    expect(await terminate(url)).toBe(204);
    expect(await blobsOf(id)).toEqual([]);
  });

  it('removes the finished blob on DELETE of a completed upload', async () => {
    const data = wavFile(100 * KiB);
    const { id, url } = await served.create(data.length);
    expect(await fetchPatch(url, 0, data)).toEqual({ status: 204, offset: String(data.length) });
    expect(await blobsOf(id)).toEqual([`${KEY_PREFIX}${id}`]);
    expect(await terminate(url)).toBe(204);
    expect(await blobsOf(id)).toEqual([]);
  });

  it('terminates an upload during a PATCH and leaves nothing behind', async () => {
    const data = wavFile(4 * MiB);
    const { id, url } = await served.create(data.length);
    const patch = openPatch(url, 0, data.length);
    await patch.write(data.subarray(0, MiB));
    await served.waitFor((call) => call.hook === 'onProgress' && call.id === id && (call.offset ?? 0) >= MiB);
    expect(await terminate(url)).toBe(204);
    // The PATCH let go of the lock for the DELETE: it committed what it had and answered.
    expect(await patch.outcome).toEqual({ status: 204, offset: String(MiB) });
    patch.req.destroy();
    expect((await head(url)).status).toBe(404);
    expect(served.calls.filter((call) => call.hook === 'onTerminated' && call.id === id)).toHaveLength(1);
    expect(await blobsOf(id)).toEqual([]);
  });

  it('reaps an expired upload and leaves nothing behind, sparing live and finished ones', async () => {
    const stale = await served.create(500 * KiB);
    const data = wavFile(200 * KiB);
    expect(await fetchPatch(stale.url, 0, data)).toMatchObject({ status: 204 });
    await azure.container.getBlockBlobClient(`${KEY_PREFIX}${stale.id}`).stageBlock(blockId(0, 5), 'stray', 5);
    const finished = await served.create(data.length);
    expect(await fetchPatch(finished.url, 0, data)).toMatchObject({ status: 204 });

    // Two days later the idle TTL (48 h) of `stale` has passed; a new upload's 7 days have not.
    const fresh = await served.create(1000);
    const reaped = await served.tus.reap(new Date(Date.now() + 2 * DAY_MS + 60_000));
    expect(reaped).toContain(stale.id);
    expect(reaped).not.toContain(fresh.id);
    expect(reaped).not.toContain(finished.id);
    expect(served.calls.filter((call) => call.hook === 'onExpired' && call.id === stale.id)).toHaveLength(1);
    expect(await blobsOf(stale.id)).toEqual([]);
    expect((await head(fresh.url)).status).toBe(200);
    expect(await blobsOf(finished.id)).toEqual([`${KEY_PREFIX}${finished.id}`]);
  });
});
