import type { MessagePort } from 'node:worker_threads';

/** How many freed chunks wait before their memory goes back (why: docs/design.md, "Chunk freeing"). */
export const FREE_DELAY_CHUNKS = 16;

/**
 * Gives a request chunk's memory back soon after a store has its bytes, by
 * detaching its buffer; the Buffer object itself becomes empty. Only a chunk
 * that spans its whole ArrayBuffer is freed, so a view into a shared or pooled
 * buffer is never touched. Why: docs/design.md, "Chunk freeing".
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
