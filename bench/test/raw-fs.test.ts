import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import type { IncomingMessage } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fsSink } from '../src/servers/raw-fs.js';

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

/** A body of separately allocated chunks, as Node's HTTP parser delivers them. */
function body(chunks: Buffer[]): IncomingMessage {
  return Readable.from(chunks.map((c) => Buffer.from(c))) as unknown as IncomingMessage;
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tuskit-bench-raw-fs-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('the raw fs sinks', () => {
  for (const freeChunks of [false, true]) {
    it(`append PATCH bodies at their offsets (${freeChunks ? 'chunk by chunk, freed' : 'piped'})`, async () => {
      const sink = fsSink(dir, { fsyncOnComplete: true, freeChunks });
      const bytes = randomBytes(300 * 1024);
      const id = `upload-${freeChunks}`;
      await sink.create(id, bytes.length);
      const first = [bytes.subarray(0, 64 * 1024), bytes.subarray(64 * 1024, 100 * 1024)];
      expect(await sink.append(id, 0, body(first))).toBe(100 * 1024);
      expect(await sink.append(id, 100 * 1024, body([bytes.subarray(100 * 1024)]))).toBe(bytes.length);
      expect(sha256(await readFile(join(dir, id)))).toBe(sha256(bytes));
    });
  }

  it('frees each chunk it was given once written, when asked to', async () => {
    const sink = fsSink(dir, { fsyncOnComplete: false, freeChunks: true });
    await sink.create('freed', 128 * 1024);
    const chunks = [Buffer.from(randomBytes(64 * 1024)), Buffer.from(randomBytes(64 * 1024))];
    const source = Readable.from(chunks) as unknown as IncomingMessage;
    expect(await sink.append('freed', 0, source)).toBe(128 * 1024);
    // Detached: the memory went back at once.
    expect(chunks.map((c) => c.buffer.byteLength)).toEqual([0, 0]);
  });
});
