import { readFileSync } from 'node:fs';
import { FIXTURES_DIR, wavFile } from '@tuskit/core/testing';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeWithFakeGcs } from './support/fake-gcs.js';
import { serveTus, type ServedTus } from '@tuskit/testkit/served-tus';
import { fetchPatch, head, terminate } from '@tuskit/testkit/tus-http';

const KiB = 1024;
const DAY_MS = 24 * 3600 * 1000;
const KEY_PREFIX = 'termination/';

describeWithFakeGcs('GcsStore termination, rejection and expiry', (gcs) => {
  let served: ServedTus;
  beforeAll(async () => {
    served = await serveTus(gcs.store({ keyPrefix: KEY_PREFIX, partSize: 64 * KiB }));
  });
  afterAll(() => served.close());

  const objectsOf = (id: string) => gcs.leftovers(id, KEY_PREFIX);

  it('removes everything when the first chunk is not media', async () => {
    const pdf = readFileSync(`${FIXTURES_DIR}/not-media/document.pdf`);
    const { id, url } = await served.create(pdf.length);
    expect(await objectsOf(id)).toEqual([`${KEY_PREFIX}.tus/${id}/info`]);
    expect(await fetchPatch(url, 0, pdf)).toMatchObject({ status: 409 });
    expect((await head(url)).status).toBe(404);
    expect(served.calls.filter((call) => call.hook === 'onMediaRejected' && call.id === id)).toHaveLength(1);
    expect(await objectsOf(id)).toEqual([]);
  });

  it('removes a partly written upload on DELETE', async () => {
    const data = wavFile(300 * KiB);
    const { id, url } = await served.create(data.length * 2);
    expect(await fetchPatch(url, 0, data)).toMatchObject({ status: 204 });
    expect((await objectsOf(id)).length).toBeGreaterThan(1);
    expect(await terminate(url)).toBe(204);
    expect(await terminate(url)).toBe(204);
    expect(await objectsOf(id)).toEqual([]);
  });

  it('removes the finished object on DELETE of a completed upload', async () => {
    const data = wavFile(100 * KiB);
    const { id, url } = await served.create(data.length);
    expect(await fetchPatch(url, 0, data)).toEqual({ status: 204, offset: String(data.length) });
    expect(await objectsOf(id)).toEqual([`${KEY_PREFIX}${id}`]);
    expect(await terminate(url)).toBe(204);
    expect(await objectsOf(id)).toEqual([]);
  });

  it('reaps an expired upload and leaves nothing behind, sparing live and finished ones', async () => {
    const stale = await served.create(500 * KiB);
    const data = wavFile(200 * KiB);
    expect(await fetchPatch(stale.url, 0, data)).toMatchObject({ status: 204 });
    const finished = await served.create(data.length);
    expect(await fetchPatch(finished.url, 0, data)).toMatchObject({ status: 204 });

    // Two days later the idle TTL (48 h) of `stale` has passed; a new upload's 7 days have not.
    const fresh = await served.create(1000);
    const reaped = await served.tus.reap(new Date(Date.now() + 2 * DAY_MS + 60_000));
    expect(reaped).toContain(stale.id);
    expect(reaped).not.toContain(fresh.id);
    expect(reaped).not.toContain(finished.id);
    expect(served.calls.filter((call) => call.hook === 'onExpired' && call.id === stale.id)).toHaveLength(1);
    expect(await objectsOf(stale.id)).toEqual([]);
    expect((await head(fresh.url)).status).toBe(200);
    expect(await objectsOf(finished.id)).toEqual([`${KEY_PREFIX}${finished.id}`]);
  });
});
