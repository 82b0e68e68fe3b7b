import { createTus } from '@tuskit/core';
import { sha256, wavFile } from '@tuskit/core/testing';
import { afterAll, expect, it } from 'vitest';
import type { ChildServer } from '../child-server.js';
import { streamPatch } from '../tus-http.js';
import type { RobustnessBackend } from './backend.js';

const MiB = 1024 * 1024;
const KEY_PREFIX = 'memory/';
const WARM_UP = 8 * MiB;
const PATCH_SIZE = 128 * MiB;

/**
 * One 128 MiB PATCH through a server process of its own, with the store's
 * default part size: its peak RSS grows by far less than the PATCH, and the
 * object is byte-exact with nothing else left. Call inside the `describe`
 * that started the backend.
 *
 * @example
 * ```ts
 * describeWithFakeGcs('GcsStore memory use', (gcs) => boundedMemoryCases(gcsBackend(gcs)));
 * ```
 */
export function boundedMemoryCases(backend: RobustnessBackend): void {
  let server: ChildServer | undefined;
  afterAll(() => server?.kill());

  it('streams a 136 MiB upload, mostly one 128 MiB PATCH, in bounded server memory', async () => {
    server = await backend.startChild({ keyPrefix: KEY_PREFIX });
    const host = createTus({ store: backend.store({ keyPrefix: KEY_PREFIX }), basePath: '/files' });
    const data = wavFile(WARM_UP + PATCH_SIZE);
    const { id, url } = await host.createUpload({ size: data.length, origin: server.origin });

    // The first PATCH loads the code paths of detection and uploads: measure after it.
    expect(await streamPatch(url, 0, data.subarray(0, WARM_UP))).toMatchObject({ status: 204 });
    const settled = server.takePeakRss();
    const last = await streamPatch(url, WARM_UP, data.subarray(WARM_UP));
    expect(last).toEqual({ status: 204, offset: String(data.length) });
    // Three part buffers (24 MiB) plus socket chunks awaiting GC measure 40-60 MiB; holding on to
    // the PATCH's chunks (buffering it, or a leak keeping them reachable) would add 128 MiB.
    expect(server.takePeakRss() - settled).toBeLessThan(10 * backend.defaultPartSize);

    const store = backend.store({ keyPrefix: KEY_PREFIX });
    const name = backend.finishedObject(id, KEY_PREFIX);
    expect(await backend.describeObject(name)).toEqual({ size: data.length, contentType: 'audio/wav' });
    expect(await sha256(await store.read(id))).toBe(await sha256(data));
    expect(await backend.leftovers(id, KEY_PREFIX)).toEqual([name]);
  });
}
