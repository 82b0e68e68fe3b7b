import { createTus } from '@tuskit/core';
import { sha256, wavFile } from '@tuskit/core/testing';
import { afterAll, expect, it } from 'vitest';
import { DEFAULT_BLOCK_SIZE } from '../src/index.js';
import { describeWithAzurite } from './support/azurite.js';
import { startChildServer, type ChildServer } from './support/child-server.js';
import { streamPatch } from '@tuskit/testkit/tus-http';

const MiB = 1024 * 1024;
const KEY_PREFIX = 'memory/';
const WARM_UP = 8 * MiB;
const PATCH_SIZE = 128 * MiB;

describeWithAzurite('AzureStore memory use', (azure) => {
  let server: ChildServer | undefined;
  afterAll(() => server?.kill());

  it('streams a 136 MiB upload, mostly one 128 MiB PATCH, in bounded server memory', async () => {
    server = await startChildServer(azure, { keyPrefix: KEY_PREFIX });
    const host = createTus({ store: azure.store({ keyPrefix: KEY_PREFIX }), basePath: '/files' });
    const data = wavFile(WARM_UP + PATCH_SIZE);
    const { id, url } = await host.createUpload({ size: data.length, origin: server.origin });

    // The first PATCH loads the code paths of detection and uploads: measure after it.
    expect(await streamPatch(url, 0, data.subarray(0, WARM_UP))).toMatchObject({ status: 204 });
    const settled = server.takePeakRss();
    const last = await streamPatch(url, WARM_UP, data.subarray(WARM_UP));
    expect(last).toEqual({ status: 204, offset: String(data.length) });
    // Three block buffers (24 MiB) plus socket chunks awaiting GC; holding on to the PATCH's
    // chunks (buffering it, or a leak keeping them reachable) would add 128 MiB.
    expect(server.takePeakRss() - settled).toBeLessThan(10 * DEFAULT_BLOCK_SIZE);

    const store = azure.store({ keyPrefix: KEY_PREFIX });
    const properties = await azure.container.getBlockBlobClient(store.blobName(id)).getProperties();
    expect(properties).toMatchObject({ contentLength: data.length, contentType: 'audio/wav' });
    expect(await sha256(await store.read(id))).toBe(await sha256(data));
    expect(await azure.leftovers(id, KEY_PREFIX)).toEqual([store.blobName(id)]);
  });
});
