import { createServer } from 'node:http';
import { createTus } from '@tuskit/core';
import { toNodeHandler } from '@tuskit/core/node';
import { listenOnLoopback, sha256, wavFile } from '@tuskit/core/testing';
import { expect, it } from 'vitest';
import { FileStore } from '../src/index.js';
import { testDirectory } from './support/scratch.js';

const MiB = 1024 * 1024;

/** Deterministic log-uniform sizes from 64 B to 64 MiB (mulberry32). */
function sizes(count: number, seed: number): number[] {
  let a = seed;
  const random = () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return Array.from({ length: count }, () => Math.round(64 * 2 ** (random() * 20)));
}

it('completes 200 concurrent uploads of 64 B to 64 MiB byte-exact through one instance', async () => {
  const directory = testDirectory('tuskit-fs-load-');
  const store = new FileStore({ directory });
  const tus = createTus({ store, basePath: '/files' });
  const served = await listenOnLoopback(createServer(toNodeHandler(tus)));
  try {
    const plan = sizes(200, 20261128);
    expect(Math.min(...plan)).toBeLessThan(1024);
    expect(Math.max(...plan)).toBeGreaterThan(16 * MiB);
    const results = await Promise.all(
      plan.map(async (size) => {
        const data = wavFile(size);
        const { id, url } = await tus.createUpload({ size, origin: served.origin });
        const chunk = 8 * MiB;
        for (let offset = 0; offset < size; offset += chunk) {
          const response = await fetch(url, {
            method: 'PATCH',
            headers: { 'tus-resumable': '1.0.0', 'content-type': 'application/offset+octet-stream', 'upload-offset': String(offset) },
            body: data.subarray(offset, offset + chunk),
          });
          expect(response.status).toBe(204);
        }
        return { id, size, digest: await sha256(data) };
      }),
    );
    for (const { id, size, digest } of results) {
      expect((await store.open(id))?.info).toMatchObject({ offset: size, finalized: true });
      expect(await sha256(await store.read(id))).toBe(digest);
    }
  } finally {
    await served.close();
  }
}, 180_000);
