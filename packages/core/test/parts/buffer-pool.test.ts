import { describe, expect, it } from 'vitest';
import { BufferPool, SpareBuffers } from '../../src/parts/index.js';

const MiB = 1024 * 1024;

/**
 * Which of `known` each buffer is, by identity (-1: none of them). Numbers, because vitest's `toBe`/`toContain`
 * deep-compare buffers that are not identical (for their failure hint, even under `.not`), which takes minutes
 * for two zero-filled 5 MiB buffers.
 */
function identities(known: Array<Buffer | undefined>, buffers: Array<Buffer | undefined>): number[] {
  return buffers.map((buffer) => known.findIndex((candidate) => candidate === buffer));
}

/** A write that took two buffers of `size` from a pool of `capacity` and is over: its buffers go to the spares. */
async function finishedWrite(spares: SpareBuffers, size: number, capacity: number): Promise<Buffer[]> {
  const pool = new BufferPool(size, capacity, spares);
  const used = [await pool.acquire(), await pool.acquire()];
  for (const buffer of used) pool.release(buffer);
  pool.close();
  return used;
}

describe('BufferPool with the store spares', () => {
  it('hands the buffers of a finished write to the next one', async () => {
    const spares = new SpareBuffers(3);
    const [a, b] = await finishedWrite(spares, 5 * MiB, 3);

    const second = new BufferPool(5 * MiB, 3, spares);
    const reused = [await second.acquire(), await second.acquire()];
    expect(identities([a, b], reused).sort()).toEqual([0, 1]);
    expect(identities([a, b], [await second.acquire()])).toEqual([-1]);
  });

  it('keeps at most its capacity, and only reuses buffers of the right size', async () => {
    const spares = new SpareBuffers(1);
    const [a, b] = await finishedWrite(spares, 5 * MiB, 2);
    expect(spares.take(6 * MiB)).toBeUndefined();
    expect(identities([a, b], [spares.take(5 * MiB)])).not.toEqual([-1]);
    expect(spares.take(5 * MiB)).toBeUndefined();
  });

  it('still bounds one write to its capacity', async () => {
    const pool = new BufferPool(5 * MiB, 1, new SpareBuffers(4));
    const held = await pool.acquire();
    let second: Buffer | undefined;
    const waiting = pool.acquire().then((buffer) => (second = buffer));
    await Promise.resolve();
    expect(second).toBeUndefined();
    pool.release(held);
    await waiting;
    expect(second).toBe(held);
  });
});
