import type { MessagePort } from 'node:worker_threads';

/**
 * How many freed chunks wait before their memory goes back. Freeing each one
 * at once hands the newest block, at the top of the C heap, straight back:
 * glibc then trims the heap and the next socket read faults fresh pages in
 * (measured: 4× the page faults and more CPU than not freeing at all). Kept a
 * little while, a chunk is freed below younger live ones and its block is
 * reused by the next read. 16 socket reads are about 1 MiB.
 */
export const FREE_DELAY_CHUNKS = 16;

/**
 * Gives a request chunk's memory back to the allocator soon after a store
 * has its bytes, instead of at V8's next scavenge.
 *
 * Node copies every socket read into a new ArrayBuffer, and V8 collects young
 * ArrayBuffers only once about 32 MiB of them are dead: a server streaming to
 * disk grows by that much, per process, whatever the chunk size. Freeing
 * detaches the buffer (transferring it to a closed port, the one way every
 * Node ≥ 20 has), which releases its memory at once; the Buffer object itself
 * becomes empty. Only a chunk that spans its whole ArrayBuffer is freed, so a
 * view into a shared or pooled buffer is never touched.
 *
 * Call it only for chunks nothing else holds: the core offers it to stores as
 * `UploadBody.free` only for bodies it reads itself.
 *
 * @example
 * ```ts
 * await handle.write(chunk);
 * freeChunk(chunk); // chunk.byteLength is 0 soon after
 * ```
 */
export function freeChunk(chunk: Uint8Array): void {
  const buffer = chunk.buffer;
  if (!(buffer instanceof ArrayBuffer) || chunk.byteOffset !== 0 || chunk.byteLength !== buffer.byteLength) return;
  const oldest = delayed[next];
  delayed[next] = buffer;
  next = (next + 1) % FREE_DELAY_CHUNKS;
  if (oldest) detach(oldest);
}

const delayed: (ArrayBuffer | undefined)[] = new Array<ArrayBuffer | undefined>(FREE_DELAY_CHUNKS);
let next = 0;
let sink: MessagePort | undefined;

function detach(buffer: ArrayBuffer): void {
  if (buffer.byteLength === 0) return;
  sink ??= closedPort();
  try {
    // A message to a closed port is serialized (which detaches what it transfers) and then dropped.
    sink?.postMessage(null, [buffer]);
  } catch {
    // Not detachable (e.g. a wasm memory): the collector frees it as before.
  }
}

function closedPort(): MessagePort | undefined {
  if (typeof MessageChannel !== 'function') return undefined;
  const { port1 } = new MessageChannel();
  port1.close();
  return port1;
}
