import { createTus } from '@tuskit/core';
import { sha256, wavFile } from '@tuskit/core/testing';
import { afterEach, expect, it } from 'vitest';
import { startChildServer, type ChildServer } from './support/child-server.js';
import { describeWithFakeGcs } from './support/fake-gcs.js';
import { head, openPatch, streamPatch } from '@tuskit/testkit/tus-http';

const MiB = 1024 * 1024;
const PART_SIZE = MiB;
const KEY_PREFIX = 'crash/';

describeWithFakeGcs('GcsStore when the server is SIGKILLed mid-PATCH', (gcs) => {
  const servers: ChildServer[] = [];
  const start = async () => {
    const server = await startChildServer(gcs, { keyPrefix: KEY_PREFIX, partSize: PART_SIZE });
    servers.push(server);
    return server;
  };
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((server) => server.kill()));
  });

  it('reports a consistent offset after restart and completes byte-exact', async () => {
    const data = wavFile(12 * MiB + 4321);
    const first = await start();
    const host = createTus({ store: gcs.store({ keyPrefix: KEY_PREFIX }), basePath: '/files' });
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
    // At most one part uploading and one filling were lost; whole parts only ever become the offset.
    expect(offset).toBeGreaterThanOrEqual(read - 2 * PART_SIZE - 64 * 1024);
    expect(offset).toBeLessThanOrEqual(read);
    expect(offset % PART_SIZE).toBe(0);
    expect((await gcs.store({ keyPrefix: KEY_PREFIX }).open(id))?.info.offset).toBe(offset);

    expect(await streamPatch(restartedUrl, offset, data.subarray(offset))).toEqual({
      status: 204,
      offset: String(data.length),
    });
    const fresh = gcs.store({ keyPrefix: KEY_PREFIX });
    expect((await fresh.open(id))?.info).toMatchObject({ offset: data.length, finalized: true });
    expect(await sha256(await fresh.read(id))).toBe(await sha256(data));
    expect(await gcs.leftovers(id, KEY_PREFIX)).toEqual([`${KEY_PREFIX}${id}`]);
  });
});
