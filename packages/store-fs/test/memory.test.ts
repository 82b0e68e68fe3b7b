import { request } from 'node:http';
import { once } from 'node:events';
import { createTus } from '@tuskit/core';
import { wavFile } from '@tuskit/core/testing';
import { afterAll, expect, it } from 'vitest';
import { FileStore } from '../src/index.js';
import { testDirectory } from './support/scratch.js';
import { startChildServer, type ChildServer } from './support/child-server.js';

const MiB = 1024 * 1024;
let server: ChildServer | undefined;
afterAll(() => server?.kill());

/** Streams `total` bytes (a WAV header, then one repeated random block) with backpressure. */
async function streamPatch(url: string, total: number): Promise<number> {
  const block = wavFile(4 * MiB);
  const req = request(url, {
    method: 'PATCH',
    headers: {
      'tus-resumable': '1.0.0',
      'content-type': 'application/offset+octet-stream',
      'upload-offset': '0',
      'content-length': String(total),
    },
  });
  const response = new Promise<number>((resolve, reject) => {
    req.on('response', (res) => (res.resume(), resolve(res.statusCode ?? 0)));
    req.on('error', reject);
  });
  for (let sent = 0; sent < total; sent += block.length) {
    if (!req.write(block.subarray(0, Math.min(block.length, total - sent)))) await once(req, 'drain');
  }
  req.end();
  return response;
}

it('keeps server memory flat through a single 1 GiB PATCH', async () => {
  const directory = testDirectory('tuskit-fs-memory-');
  server = await startChildServer(directory, { PROGRESS_INTERVAL_MS: '100' });
  const host = createTus({ store: new FileStore({ directory }), basePath: '/files' });
  const warmUp = await host.createUpload({ size: 64 * MiB, origin: server.origin });
  expect(await streamPatch(warmUp.url, 64 * MiB)).toBe(204);
  const idle = server.peakRss();

  const big = await host.createUpload({ size: 1024 * MiB, origin: server.origin });
  expect(await streamPatch(big.url, 1024 * MiB)).toBe(204);
  expect((await new FileStore({ directory }).open(big.id))?.info.offset).toBe(1024 * MiB);
  const growth = server.peakRss() - idle;
  expect(growth).toBeLessThan(16 * MiB);
});
