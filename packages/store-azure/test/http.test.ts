import { sha256, wavFile } from '@tuskit/core/testing';
import { parallelUploadCases } from '@tuskit/testkit/robustness';
import { serveDuringSuite } from '@tuskit/testkit/served-tus';
import { fetchPatch } from '@tuskit/testkit/tus-http';
import { expect, it } from 'vitest';
import { MAX_SHORT_RUN } from '../src/blocks.js';
import { describeWithAzurite } from './support/azurite.js';
import { azureBackend } from './support/backend.js';

const KiB = 1024;
const KEY_PREFIX = 'http/';
const BLOCK_SIZE = 256 * KiB;

describeWithAzurite('AzureStore behind a real HTTP server', (azure) => {
  const served = serveDuringSuite(() => azure.store({ keyPrefix: KEY_PREFIX, blockSize: BLOCK_SIZE }));

  const committedBlocks = async (id: string) =>
    (await azure.container.getBlockBlobClient(`${KEY_PREFIX}${id}`).getBlockList('committed')).committedBlocks ?? [];

  it('takes 300 PATCHes of 10 KiB in a bounded number of blocks, byte-exact', async () => {
    const data = wavFile(300 * 10 * KiB);
    const { id, url } = await served().create(data.length);
    let mostBlocks = 0;
    for (let offset = 0; offset < data.length; offset += 10 * KiB) {
      const end = offset + 10 * KiB;
      expect(await fetchPatch(url, offset, data.subarray(offset, end))).toEqual({ status: 204, offset: String(end) });
      const blocks = await committedBlocks(id);
      // The offset is exactly what the committed blocks hold, after every PATCH.
      expect(blocks.reduce((sum, block) => sum + block.size, 0)).toBe(end);
      mostBlocks = Math.max(mostBlocks, blocks.length);
    }
    // Each PATCH added one short block; runs past MAX_SHORT_RUN were merged into full blocks.
    expect(mostBlocks).toBeLessThanOrEqual(Math.ceil(data.length / BLOCK_SIZE) + MAX_SHORT_RUN + 1);
    const blocks = await committedBlocks(id);
    expect(blocks.filter((block) => block.size === BLOCK_SIZE).length).toBeGreaterThan(0);

    const store = azure.store({ keyPrefix: KEY_PREFIX });
    expect(await azure.leftovers(id, KEY_PREFIX)).toEqual([store.blobName(id)]);
    const properties = await azure.container.getBlockBlobClient(store.blobName(id)).getProperties();
    expect(properties).toMatchObject({ contentLength: data.length, contentType: 'audio/wav' });
    expect(await sha256(await store.read(id))).toBe(await sha256(data));
  });

  it('signs a read-only SAS download link that Azurite serves', async () => {
    const data = wavFile(100 * KiB);
    const { id, url } = await served().create(data.length);
    expect(await fetchPatch(url, 0, data)).toMatchObject({ status: 204 });
    const store = azure.store({ keyPrefix: KEY_PREFIX });
    const link = new URL(await store.downloadUrl(id, { expiresInSeconds: 60, contentType: 'audio/x-wav' }));
    expect(link.searchParams.get('sp')).toBe('r');
    const download = await fetch(link);
    expect(download.status).toBe(200);
    expect(download.headers.get('content-type')).toBe('audio/x-wav');
    expect(await sha256(new Uint8Array(await download.arrayBuffer()))).toBe(await sha256(data));
    // A tampered signature is refused.
    link.searchParams.set('sig', 'AAAA' + (link.searchParams.get('sig') ?? '').slice(4));
    const refused = await fetch(link);
    await refused.body?.cancel();
    expect(refused.status).toBe(403);
  });

  parallelUploadCases(azureBackend(azure));
});
