import { randomData } from '@tuskit/core/testing';
import { describe, expect, it } from 'vitest';
import { writeParts } from '../src/part-writer.js';

async function* chunksOf(data: Uint8Array, size: number): AsyncIterable<Uint8Array> {
  for (let at = 0; at < data.length; at += size) yield data.subarray(at, at + size);
}

/** A flush that records copies of the parts it was given. */
function recorder() {
  const parts: Buffer[] = [];
  return { parts, flush: async (part: Buffer) => void parts.push(Buffer.from(part)) };
}

describe('writeParts', () => {
  it('cuts the body into parts of exactly partSize bytes, the last one shorter', async () => {
    const data = randomData(10_000);
    const { parts, flush } = recorder();
    const written = await writeParts(chunksOf(data, 700), { partSize: 4096, signal: new AbortController().signal, flush });
    expect(written).toBe(10_000);
    expect(parts.map((p) => p.length)).toEqual([4096, 4096, 1808]);
    expect(Buffer.concat(parts).equals(data)).toBe(true);
  });

  it('reads at most one part ahead of the upload in flight', async () => {
    const data = randomData(64 * 1024);
    let pulled = 0;
    async function* counted(): AsyncIterable<Uint8Array> {
      for await (const chunk of chunksOf(data, 1024)) {
        pulled += chunk.length;
        yield chunk;
      }
    }
    const aheadAtFlush: number[] = [];
    let flushed = 0;
    const flush = async (part: Buffer) => {
      aheadAtFlush.push(pulled - flushed);
      await new Promise((resolve) => setImmediate(resolve));
      flushed += part.length;
    };
    await writeParts(counted(), { partSize: 8192, signal: new AbortController().signal, flush });
    expect(flushed).toBe(data.length);
    expect(Math.max(...aheadAtFlush)).toBeLessThanOrEqual(2 * 8192);
  });

  it('persists what was read before rethrowing the body error', async () => {
    const data = randomData(5000);
    async function* failing(): AsyncIterable<Uint8Array> {
      yield* chunksOf(data, 1000);
      throw new Error('connection reset');
    }
    const { parts, flush } = recorder();
    await expect(writeParts(failing(), { partSize: 2048, signal: new AbortController().signal, flush })).rejects.toThrow(
      'connection reset',
    );
    expect(Buffer.concat(parts).equals(data)).toBe(true);
  });

  it('stops at the first failed flush with its error', async () => {
    let calls = 0;
    const flush = async () => {
      calls++;
      throw new Error('503');
    };
    const data = randomData(100_000);
    await expect(writeParts(chunksOf(data, 1000), { partSize: 1000, signal: new AbortController().signal, flush })).rejects.toThrow('503');
    expect(calls).toBe(1);
  });

  it('returns on abort without waiting for a stalled body and without flushing', async () => {
    const controller = new AbortController();
    let stalling!: () => void;
    const stalled = new Promise<void>((resolve) => (stalling = resolve));
    async function* body(): AsyncIterable<Uint8Array> {
      yield randomData(500);
      stalling();
      await new Promise(() => {});
    }
    const { parts, flush } = recorder();
    const writing = writeParts(body(), { partSize: 4096, signal: controller.signal, flush });
    await stalled;
    controller.abort();
    expect(await writing).toBe(0);
    expect(parts).toEqual([]);
  });
});
