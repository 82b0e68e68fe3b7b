import type { MessagePort } from 'node:worker_threads';

/**
 * Key of the function a request body offers this repository's stores when
 * nothing but the core holds its chunks: a store calls it with a chunk once it
 * has the chunk's bytes (written, or copied into a buffer of its own), and the
 * chunk's memory goes back soon after rather than at V8's next collection.
 * Not part of the published API: the Node bridge sets it only on requests it
 * reads alone, and a store that never looks for it works the same. Why:
 * docs/design.md, "Chunk freeing".
 */
export const RELEASE_CHUNK = Symbol.for('tuskit.releaseChunk');

/** What carries {@link RELEASE_CHUNK}: a request from the Node bridge, a body the core reads. */
export interface Releasing {
  [RELEASE_CHUNK]?: ((chunk: Uint8Array) => void) | undefined;
}

/** The release a request or body offers, if any. */
export function releaseOf(carrier: object): ((chunk: Uint8Array) => void) | undefined {
  return (carrier as Releasing)[RELEASE_CHUNK];
}

/** How many released chunks wait before their memory goes back (why: docs/design.md, "Chunk freeing"). */
export const RELEASE_DELAY_CHUNKS = 16;

const delayed: (ArrayBuffer | undefined)[] = new Array<ArrayBuffer | undefined>(RELEASE_DELAY_CHUNKS);
let next = 0;
let sink: MessagePort | undefined;

/**
 * Detaches a chunk's buffer {@link RELEASE_DELAY_CHUNKS} releases later; the
 * Uint8Array itself becomes empty. Only a chunk that spans its whole
 * ArrayBuffer is touched, so a view into a shared or pooled buffer never is.
 *
 * @example
 * ```ts
 * await file.write(chunk);
 * releaseChunk(chunk); // chunk.byteLength is 0 soon after
 * ```
 */
export function releaseChunk(chunk: Uint8Array): void {
  const buffer = chunk.buffer;
  if (!(buffer instanceof ArrayBuffer) || chunk.byteOffset !== 0 || chunk.byteLength !== buffer.byteLength) return;
  const oldest = delayed[next];
  delayed[next] = buffer;
  next = (next + 1) % RELEASE_DELAY_CHUNKS;
  if (oldest) detach(oldest);
}

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
