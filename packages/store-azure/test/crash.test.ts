import { createTus } from '@tuskit/core';
import { DEFAULT_BLOCK_CONCURRENCY } from '../src/options.js';
import { sha256, wavFile } from '@tuskit/core/testing';
import { afterEach, expect, it } from 'vitest';
import { describeWithAzurite } from './support/azurite.js';
import { startChildServer, type ChildServer } from './support/child-server.js';
import { head, openPatch, streamPatch } from '@tuskit/testkit/tus-http';

const MiB = 1024 * 1024;
const BLOCK_SIZE = MiB;
const KEY_PREFIX = 'crash/';

describeWithAzurite('AzureStore when the server is SIGKILLed mid-PATCH', (azure) => {
  const servers: ChildServer[] = [];
  const start = async () => {
    const server = await startChildServer(azure, { keyPrefix: KEY_PREFIX, blockSize: BLOCK_SIZE });
    servers.push(server);
    return server;
  };
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((server) => server.kill()));
  });

  it('reports the committed length after restart and completes byte-exact', async () => {
    const data = wavFile(12 * MiB + 4321);
    const first = await start();
    const host = createTus({ store: azure.store({ keyPrefix: KEY_PREFIX }), basePath: '/files' });
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
    // At most the blocks staging side by side and the one filling were lost; only whole committed blocks make
    // the offset.
    expect(offset).toBeGreaterThanOrEqual(read - (DEFAULT_BLOCK_CONCURRENCY + 1) * BLOCK_SIZE - 64 * 1024);
    expect(offset).toBeLessThanOrEqual(read);
    expect(offset % BLOCK_SIZE).toBe(0);
    const blocks = await azure.container.getBlockBlobClient(`${KEY_PREFIX}${id}`).getBlockList('committed');
    expect(blocks.committedBlocks?.reduce((sum, block) => sum + block.size, 0)).toBe(offset);
    expect((await azure.store({ keyPrefix: KEY_PREFIX }).open(id))?.info.offset).toBe(offset);

    expect(await streamPatch(restartedUrl, offset, data.subarray(offset))).toEqual({
      status: 204,
      offset: String(data.length),
    });
    const fresh = azure.store({ keyPrefix: KEY_PREFIX });
    expect((await fresh.open(id))?.info).toMatchObject({ offset: data.length, finalized: true });
    expect(await sha256(await fresh.read(id))).toBe(await sha256(data));
    // The blocks staged but never committed before the kill are gone with the final commit.
    expect(await azure.leftovers(id, KEY_PREFIX)).toEqual([`${KEY_PREFIX}${id}`]);
  });
});
