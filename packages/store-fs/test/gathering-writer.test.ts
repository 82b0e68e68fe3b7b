import type { FileHandle } from 'node:fs/promises';
import { expect, it } from 'vitest';
import { GatheringWriter, heldShare } from '../src/gathering-writer.js';

const KiB = 1024;
const MiB = 1024 * KiB;

/** A file handle whose every `writev` waits until the test lets it finish. */
function heldHandle() {
  const writes: { bytes: number; finish: () => void }[] = [];
  const handle = {
    writev: (buffers: Uint8Array[]) =>
      new Promise<{ bytesWritten: number }>((resolve) => {
        const bytes = buffers.reduce((sum, b) => sum + b.byteLength, 0);
        writes.push({ bytes, finish: () => resolve({ bytesWritten: bytes }) });
      }),
  } as unknown as FileHandle;
  return { handle, writes };
}

it('asks for its limit at every chunk, so a share that shrinks mid-PATCH holds at once', async () => {
  const { handle, writes } = heldHandle();
  let limit = 1024 * KiB;
  const writer = new GatheringWriter(handle, 0, () => limit);

  expect(writer.push(new Uint8Array(64 * KiB))).toBeUndefined(); // starts the first write
  expect(writer.push(new Uint8Array(64 * KiB))).toBeUndefined(); // 64 KiB gathered behind it
  limit = 128 * KiB; // more uploads started writing
  const backpressure = writer.push(new Uint8Array(64 * KiB));
  expect(backpressure).toBeInstanceOf(Promise);

  writes[0]?.finish();
  await new Promise((resolve) => setImmediate(resolve));
  expect(writes.map((w) => w.bytes)).toEqual([64 * KiB, 128 * KiB]);
  writes[1]?.finish();
  await backpressure;
  await writer.drained();
  expect(writer.position).toBe(192 * KiB);
});

it('counts the bytes in flight: with a one-chunk share the reader waits for each write', async () => {
  const { handle, writes } = heldHandle();
  const writer = new GatheringWriter(handle, 0, () => 64 * KiB);

  const first = writer.push(new Uint8Array(64 * KiB));
  expect(first).toBeInstanceOf(Promise);
  expect(writes.map((w) => w.bytes)).toEqual([64 * KiB]);
  writes[0]?.finish();
  await first;
  expect(writer.push(new Uint8Array(32 * KiB))).toBeUndefined(); // written at once: 32 KiB held
  const second = writer.push(new Uint8Array(32 * KiB)); // 32 KiB in flight, 32 KiB gathered
  expect(second).toBeInstanceOf(Promise);
  writes[1]?.finish();
  await new Promise((resolve) => setImmediate(resolve));
  writes[2]?.finish();
  await second;
  await writer.drained();
  expect(writes.map((w) => w.bytes)).toEqual([64 * KiB, 32 * KiB, 32 * KiB]);
  expect(writer.position).toBe(128 * KiB);
});

it('shares a budget that shrinks as more uploads write at once', () => {
  expect(heldShare(1)).toBe(2 * MiB);
  expect(heldShare(8)).toBe(1 * MiB);
  expect(heldShare(16)).toBe(256 * KiB);
  expect(heldShare(32)).toBe(64 * KiB);
  expect(heldShare(1000)).toBe(64 * KiB);
  const total = (busy: number) => busy * heldShare(busy);
  expect(total(8)).toBe(8 * MiB);
  expect(total(16)).toBeLessThan(total(8));
  expect(total(32)).toBeLessThan(total(16));
});

it('keeps the position exact after a short write, and frees a chunk once all of it is written', async () => {
  const freed: number[] = [];
  const given: number[] = [];
  const handle = {
    // The first writev writes only half of what it is given.
    writev: async (buffers: Uint8Array[]) => {
      const bytes = buffers.reduce((sum, b) => sum + b.byteLength, 0);
      given.push(bytes);
      return { bytesWritten: given.length === 1 ? bytes / 2 : bytes };
    },
  } as unknown as FileHandle;
  const writer = new GatheringWriter(handle, 10, () => 1024 * KiB, (chunk) => freed.push(chunk.byteLength));

  writer.push(new Uint8Array(32 * KiB));
  writer.push(new Uint8Array(32 * KiB));
  await writer.drained();

  // The rest of the first chunk goes again, before the chunk gathered behind it.
  expect(given).toEqual([32 * KiB, 16 * KiB, 32 * KiB]);
  expect(writer.position).toBe(10 + 64 * KiB);
  expect(freed).toContain(32 * KiB);
});
