import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bodyOf, type UploadBody } from '@tuskit/core';
import { chunked, randomData, sha256 } from '@tuskit/core/testing';
import { expect, it } from 'vitest';
import { FileStore } from '../src/index.js';

const MiB = 1024 * 1024;

/**
 * A body of fresh copies that offers the core's chunk release, which here
 * zeroes and detaches a chunk at once: a store that releases a chunk before
 * its bytes are on disk stores zeros or fails.
 */
function poisoningBody(chunks: Iterable<Uint8Array>): { body: UploadBody; released: () => number } {
  let released = 0;
  const body = {
    [Symbol.asyncIterator]: () => bodyOf(Array.from(chunks, (chunk) => new Uint8Array(chunk)))[Symbol.asyncIterator](),
    [Symbol.for('tuskit.releaseChunk')]: (chunk: Uint8Array) => {
      released += chunk.byteLength;
      chunk.fill(0);
      structuredClone(chunk.buffer, { transfer: [chunk.buffer as ArrayBuffer] });
    },
  };
  return { body, released: () => released };
}

it('releases every chunk the core offers back, each only once its bytes are on disk', async () => {
  const store = new FileStore({ directory: mkdtempSync(join(tmpdir(), 'tuskit-fs-release-')) });
  const data = randomData(9 * MiB + 4321);
  const upload = await store.create({ id: 'released', size: data.length, metadata: {}, createdAt: new Date() });
  const { body, released } = poisoningBody(chunked(data, [64 * 1024, 1000, 300_000]));
  expect(await upload.write(0, body)).toBe(data.length);
  expect(released()).toBe(data.length);
  await upload.finalize();
  expect(await sha256(await store.read('released'))).toBe(await sha256(data));
});
