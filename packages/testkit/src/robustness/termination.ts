import { readFileSync } from 'node:fs';
import { FIXTURES_DIR, sha256, wavFile } from '@tuskit/core/testing';
import { expect, it } from 'vitest';
import { serveDuringSuite } from '../served-tus.js';
import { fetchPatch, head, openPatch, terminate } from '../tus-http.js';
import type { RobustnessBackend, RobustStoreOptions } from './backend.js';

const KiB = 1024;
const MiB = 1024 * KiB;
const DAY_MS = 24 * 3600 * 1000;

/**
 * DELETE, media rejection and expiry each leave nothing in the backend, a
 * DELETE during a PATCH included; finished uploads survive the reaper. Call
 * inside the `describe` that started the backend.
 *
 * @example
 * ```ts
 * describeWithAzurite('AzureStore termination, rejection and expiry', (azure) => terminationCases(azureBackend(azure)));
 * ```
 */
export function terminationCases(backend: RobustnessBackend): void {
  const options: RobustStoreOptions = { keyPrefix: 'termination/', partSize: 64 * KiB };
  const served = serveDuringSuite(() => backend.store(options));
  const objectsOf = (id: string) => backend.leftovers(id, options.keyPrefix);

  it('removes everything when the first chunk is not media', async () => {
    const pdf = readFileSync(`${FIXTURES_DIR}/not-media/document.pdf`);
    const { id, url } = await served().create(pdf.length);
    expect(await objectsOf(id)).toEqual(backend.createdObjects(id, options.keyPrefix));
    expect(await fetchPatch(url, 0, pdf)).toMatchObject({ status: 409 });
    expect((await head(url)).status).toBe(404);
    expect(served().calls.filter((call) => call.hook === 'onMediaRejected' && call.id === id)).toHaveLength(1);
    expect(await objectsOf(id)).toEqual([]);
  });

  it('removes a partly written upload on DELETE, with what an interrupted write left', async () => {
    const data = wavFile(300 * KiB);
    const { id, url } = await served().create(data.length * 2);
    expect(await fetchPatch(url, 0, data)).toMatchObject({ status: 204 });
    expect(await objectsOf(id)).not.toEqual([]);
    if (backend.storedBytes) expect(await backend.storedBytes(id, options.keyPrefix)).toBe(data.length);
    const stranded = await backend.strand?.(id, options.keyPrefix);
    if (stranded) expect(await objectsOf(id)).toContain(stranded);
    expect(await terminate(url)).toBe(204);
    expect(await terminate(url)).toBe(204);
    expect(await objectsOf(id)).toEqual([]);
  });

  it('removes the finished object on DELETE of a completed upload', async () => {
    const data = wavFile(100 * KiB);
    const { id, url } = await served().create(data.length);
    expect(await fetchPatch(url, 0, data)).toEqual({ status: 204, offset: String(data.length) });
    expect(await objectsOf(id)).toEqual([backend.finishedObject(id, options.keyPrefix)]);
    expect(await terminate(url)).toBe(204);
    expect(await objectsOf(id)).toEqual([]);
  });

  it('terminates an upload during a PATCH and leaves nothing behind', async () => {
    const data = wavFile(4 * MiB);
    const { id, url } = await served().create(data.length);
    const patch = openPatch(url, 0, data.length);
    await patch.write(data.subarray(0, MiB));
    await served().waitFor((call) => call.hook === 'onProgress' && call.id === id && (call.offset ?? 0) >= MiB);
    expect(await objectsOf(id)).not.toEqual([]);

    expect(await terminate(url)).toBe(204);
    // The PATCH let go of the lock for the DELETE: it persisted what it had and answered.
    expect(await patch.outcome).toEqual({ status: 204, offset: String(MiB) });
    patch.req.destroy();
    expect((await head(url)).status).toBe(404);
    expect(served().calls.filter((call) => call.hook === 'onTerminated' && call.id === id)).toHaveLength(1);
    expect(await objectsOf(id)).toEqual([]);
  });

  it('reaps an expired upload and leaves nothing behind, sparing live and finished ones', async () => {
    const stale = await served().create(500 * KiB);
    const data = wavFile(200 * KiB);
    expect(await fetchPatch(stale.url, 0, data)).toMatchObject({ status: 204 });
    await backend.strand?.(stale.id, options.keyPrefix);
    const finished = await served().create(data.length);
    expect(await fetchPatch(finished.url, 0, data)).toMatchObject({ status: 204 });

    // Two days later the idle TTL (48 h) of `stale` has passed; a new upload's 7 days have not.
    const fresh = await served().create(1000);
    const reaped = await served().tus.reap(new Date(Date.now() + 2 * DAY_MS + 60_000));
    expect(reaped).toContain(stale.id);
    expect(reaped).not.toContain(fresh.id);
    expect(reaped).not.toContain(finished.id);
    expect(served().calls.filter((call) => call.hook === 'onExpired' && call.id === stale.id)).toHaveLength(1);
    expect(await objectsOf(stale.id)).toEqual([]);
    expect((await head(fresh.url)).status).toBe(200);
    expect(await objectsOf(finished.id)).toEqual([backend.finishedObject(finished.id, options.keyPrefix)]);
  });
}

/**
 * Four uploads PATCHed side by side, in steps that do not fall on part
 * boundaries, each end byte-exact in its own object. Call inside the
 * `describe` that started the backend.
 *
 * @example
 * ```ts
 * describeWithFakeGcs('GcsStore behind a real HTTP server', (gcs) => parallelUploadCases(gcsBackend(gcs)));
 * ```
 */
export function parallelUploadCases(backend: RobustnessBackend): void {
  const options: RobustStoreOptions = { keyPrefix: 'parallel/', partSize: 256 * KiB };
  const served = serveDuringSuite(() => backend.store(options));

  it('keeps parallel uploads separate and byte-exact', async () => {
    const files = [0, 1, 2, 3].map((i) => wavFile(3 * MiB + i * 7919));
    const uploads = await Promise.all(files.map((file) => served().create(file.length)));
    await Promise.all(
      files.map(async (file, i) => {
        const step = 200 * KiB + i * 1000;
        for (let offset = 0; offset < file.length; offset += step) {
          const end = Math.min(offset + step, file.length);
          expect(await fetchPatch(uploads[i]!.url, offset, file.subarray(offset, end))).toMatchObject({ status: 204 });
        }
      }),
    );
    const store = backend.store(options);
    for (const [i, { id }] of uploads.entries()) {
      expect(await sha256(await store.read(id))).toBe(await sha256(files[i]!));
      expect(await backend.leftovers(id, options.keyPrefix)).toEqual([backend.finishedObject(id, options.keyPrefix)]);
    }
  });
}
