import { createTus } from '@tuskit/core';
import { sha256, wavFile } from '@tuskit/core/testing';
import { afterEach, expect, it } from 'vitest';
import type { ChildServer } from '../child-server.js';
import { head, openPatch, streamPatch } from '../tus-http.js';
import type { RobustnessBackend } from './backend.js';

const MiB = 1024 * 1024;
const PART_SIZE = MiB;
const KEY_PREFIX = 'crash/';

/**
 * The server is SIGKILLed mid-PATCH: after a restart HEAD reports only
 * whole parts the backend holds, and the upload resumes from there to a
 * byte-exact object with nothing else left. Call inside the `describe` that
 * started the backend.
 *
 * @example
 * ```ts
 * describeWithAzurite('AzureStore when the server is SIGKILLed mid-PATCH', (azure) => crashCases(azureBackend(azure)));
 * ```
 */
export function crashCases(backend: RobustnessBackend): void {
  const servers: ChildServer[] = [];
  const start = async () => {
    const server = await backend.startChild({ keyPrefix: KEY_PREFIX, partSize: PART_SIZE });
    servers.push(server);
    return server;
  };
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((server) => server.kill()));
  });

  it('reports what the backend holds after restart and completes byte-exact', async () => {
    const data = wavFile(12 * MiB + 4321);
    const first = await start();
    const host = createTus({ store: backend.store({ keyPrefix: KEY_PREFIX }), basePath: '/files' });
    const { id, url } = await host.createUpload({ size: data.length, origin: first.origin });

    const patch = openPatch(url, 0, data.length);
    const read = 6 * MiB;
    await patch.write(data.subarray(0, read));
    await first.progressed(read);
    await first.kill();
    expect(await patch.outcome).toBeInstanceOf(Error);

    const second = await start();
    const restartedUrl = `${second.origin}/files/${id}`;
    const { status, offset } = await head(restartedUrl);
    expect(status).toBe(200);
    // At most the parts uploading and the one filling were lost; whole parts only ever become the offset.
    expect(offset).toBeGreaterThanOrEqual(read - backend.partsLostOnCrash * PART_SIZE - 64 * 1024);
    expect(offset).toBeLessThanOrEqual(read);
    expect(offset % PART_SIZE).toBe(0);
    if (backend.storedBytes) expect(await backend.storedBytes(id, KEY_PREFIX)).toBe(offset);
    expect((await backend.store({ keyPrefix: KEY_PREFIX }).open(id))?.info.offset).toBe(offset);

    expect(await streamPatch(restartedUrl, offset, data.subarray(offset))).toEqual({
      status: 204,
      offset: String(data.length),
    });
    const fresh = backend.store({ keyPrefix: KEY_PREFIX });
    expect((await fresh.open(id))?.info).toMatchObject({ offset: data.length, finalized: true });
    expect(await sha256(await fresh.read(id))).toBe(await sha256(data));
    // Parts uploaded but never recorded before the kill are gone with the finalization.
    expect(await backend.leftovers(id, KEY_PREFIX)).toEqual([backend.finishedObject(id, KEY_PREFIX)]);
  });
}
