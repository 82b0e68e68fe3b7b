import { randomData } from '../../src/testing/index.js';
import { describe, expect, it } from 'vitest';
import { writeParts } from '../../src/parts/index.js';

async function* chunksOf(data: Uint8Array, size: number): AsyncIterable<Uint8Array> {
  for (let at = 0; at < data.length; at += size) yield data.subarray(at, at + size);
}

/**
 * A flush keeping the contract of `WritePartsOptions.flush` the way the chain
 * writer does: uploads run at once, each one settles only after the ones
 * before it, and rejects if any of them failed. `upload` is the part's own
 * upload.
 */
function ordered(upload: (part: Buffer, index: number) => Promise<void>) {
  let previous: Promise<void> = Promise.resolve();
  let index = 0;
  return (part: Buffer) => {
    const own = upload(part, index++);
    own.catch(() => {});
    previous = previous.then(() => own);
    return previous;
  };
}

/** A body of `size`-byte chunks that counts how many bytes were read from it. */
function counted(data: Uint8Array, size: number) {
  const read = { bytes: 0 };
  async function* body(): AsyncIterable<Uint8Array> {
    for await (const chunk of chunksOf(data, size)) {
      read.bytes += chunk.length;
      yield chunk;
    }
  }
  return { body: body(), read };
}

/** A promise with its resolve and reject. */
function deferred() {
  let resolve!: () => void;
  let reject!: (error: Error) => void;
  const promise = new Promise<void>((res, rej) => ((resolve = res), (reject = rej)));
  return { promise, resolve, reject };
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
    const written = await writeParts(chunksOf(data, 700), { partSize: 4096, partsInFlight: 2, signal: new AbortController().signal, flush });
    expect(written).toBe(10_000);
    expect(parts.map((p) => p.length)).toEqual([4096, 4096, 1808]);
    expect(Buffer.concat(parts).equals(data)).toBe(true);
  });

  it('reads at most one part ahead of the upload in flight', async () => {
    const data = randomData(64 * 1024);
    const { body, read } = counted(data, 1024);
    const aheadAtFlush: number[] = [];
    let flushed = 0;
    const flush = async (part: Buffer) => {
      aheadAtFlush.push(read.bytes - flushed);
      await new Promise((resolve) => setImmediate(resolve));
      flushed += part.length;
    };
    await writeParts(body, { partSize: 8192, partsInFlight: 1, signal: new AbortController().signal, flush });
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
    await expect(writeParts(failing(), { partSize: 2048, partsInFlight: 2, signal: new AbortController().signal, flush })).rejects.toThrow(
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
    await expect(writeParts(chunksOf(data, 1000), { partSize: 1000, partsInFlight: 1, signal: new AbortController().signal, flush })).rejects.toThrow('503');
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
    const writing = writeParts(body(), { partSize: 4096, partsInFlight: 2, signal: controller.signal, flush });
    await stalled;
    controller.abort();
    expect(await writing).toBe(0);
    expect(parts).toEqual([]);
  });

  it('uploads up to partsInFlight parts at once, reading at most one part beyond them', async () => {
    const data = randomData(20 * 1000);
    const { body, read } = counted(data, 250);
    const uploads: Array<ReturnType<typeof deferred>> = [];
    const copies: Buffer[] = [];
    let running = 0;
    let mostRunning = 0;
    let mostAhead = 0;
    let settled = 0;
    const flush = ordered(async (part, index) => {
      copies[index] = Buffer.from(part);
      running++;
      mostRunning = Math.max(mostRunning, running);
      mostAhead = Math.max(mostAhead, read.bytes - settled);
      const upload = deferred();
      uploads.push(upload);
      // The newest part finishes first: joining in order is the chain's job, not the timing's.
      if (running === 3) uploads.at(-1)!.resolve();
      await upload.promise;
      running--;
      settled += part.length;
    });
    const writing = writeParts(body, { partSize: 1000, partsInFlight: 3, signal: new AbortController().signal, flush });
    for (let released = 0; released < 20; released++) {
      await new Promise((resolve) => setImmediate(resolve));
      uploads.find((u, i) => i >= released)?.resolve();
    }
    await new Promise((resolve) => setImmediate(resolve));
    for (const upload of uploads) upload.resolve();
    expect(await writing).toBe(data.length);
    expect(mostRunning).toBe(3);
    expect(mostAhead).toBeLessThanOrEqual(4 * 1000);
    expect(Buffer.concat(copies).equals(data)).toBe(true);
  });

  it('counts no part behind a failed one and leaves nothing uploading when it rejects', async () => {
    const data = randomData(10 * 1000);
    const second = deferred();
    const third = deferred();
    let running = 0;
    let sent = 0;
    const flush = ordered(async (_part, index) => {
      sent++;
      running++;
      try {
        if (index === 1) await second.promise;
        if (index === 2) await third.promise;
      } finally {
        running--;
      }
    });
    const writing = writeParts(chunksOf(data, 500), { partSize: 1000, partsInFlight: 2, signal: new AbortController().signal, flush });
    const outcome = writing.then(
      (written) => ({ written }),
      (error: Error) => ({ error: error.message }),
    );
    await new Promise((resolve) => setImmediate(resolve));
    third.resolve(); // the third part is stored while the second is still uploading...
    await new Promise((resolve) => setImmediate(resolve));
    second.reject(new Error('503')); // ...and then the second fails
    expect(await outcome).toEqual({ error: '503' });
    expect(sent).toBe(3);
    expect(running).toBe(0);
  });
});
