import type { FileHandle } from 'node:fs/promises';

/** Bytes all uploads writing at once may hold (writes in flight plus what gathers behind them). */
const HELD_BUDGET = 8 * 1024 * 1024;
/** Most one upload holds, in its write in flight and behind it. */
const MAX_HELD = 2 * 1024 * 1024;
/** One socket read: with many uploads at once, each writes a chunk and reads on once it is on disk. */
const MIN_HELD = 64 * 1024;
/** Uploads writing at once up to which they share the whole budget. */
const PIPELINED_UPLOADS = 8;

/**
 * What one of `busy` uploads writing at once may hold. Gathering keeps the
 * disk busy while an upload's socket refills; beyond a few uploads the others
 * do that, so the budget itself shrinks as they grow: 8 MiB for 8 uploads,
 * 4 MiB for 16, one chunk each for 32 and more.
 *
 * @example
 * ```ts
 * new GatheringWriter(handle, offset, () => heldShare(openFiles.busy));
 * ```
 */
export function heldShare(busy: number): number {
  const crowding = Math.max(1, busy / PIPELINED_UPLOADS);
  return Math.min(MAX_HELD, Math.max(MIN_HELD, HELD_BUDGET / busy / crowding));
}

/**
 * Writes a stream of chunks at increasing positions with one `writev` in
 * flight while the next chunks gather, so the disk and the socket work at
 * once. `position` is exact even when a write fails midway.
 *
 * @example
 * ```ts
 * const writer = new GatheringWriter(handle, offset, () => 1024 * 1024);
 * for await (const chunk of body) await writer.push(chunk);
 * await writer.drained();
 * ```
 */
export class GatheringWriter {
  position: number;
  failure: unknown;
  readonly #handle: FileHandle;
  #gathered: Uint8Array[] = [];
  #gatheredBytes = 0;
  #writingBytes = 0;
  #writing: Promise<void> | undefined;

  readonly #free: ((chunk: Uint8Array) => void) | undefined;

  /**
   * @param maxHeld Bytes in flight plus gathered behind them at which the reader waits for
   *   the writes; asked again at every chunk, since a share shrinks as more uploads write.
   * @param free Called with each chunk once all of it is on disk (the core's chunk release, when it offers one).
   */
  constructor(
    handle: FileHandle,
    offset: number,
    readonly maxHeld: () => number,
    free?: (chunk: Uint8Array) => void,
  ) {
    this.#handle = handle;
    this.position = offset;
    this.#free = free;
  }

  /**
   * Queues a chunk. Returns a promise to wait on only when this writer holds
   * `maxHeld` bytes: most chunks cost no promise at all.
   */
  push(chunk: Uint8Array): Promise<void> | undefined {
    if (this.failure !== undefined) throw this.failure;
    this.#gathered.push(chunk);
    this.#gatheredBytes += chunk.byteLength;
    this.#writing ??= this.#drain();
    return this.#gatheredBytes + this.#writingBytes >= this.maxHeld() ? this.#writing : undefined;
  }

  /** Resolves once every pushed byte is written (or a write failed). */
  async drained(): Promise<void> {
    while (this.#writing) await this.#writing;
  }

  async #drain(): Promise<void> {
    try {
      while (this.#gathered.length > 0 && this.failure === undefined) {
        let pending = this.#gathered;
        this.#gathered = [];
        this.#writingBytes = this.#gatheredBytes;
        this.#gatheredBytes = 0;
        while (pending.length > 0) {
          const { bytesWritten } = await this.#handle.writev(pending, this.position);
          this.position += bytesWritten;
          pending = dropFront(pending, bytesWritten, this.#free);
        }
      }
    } catch (error) {
      this.failure = error;
    } finally {
      this.#writing = undefined;
      this.#writingBytes = 0;
    }
  }
}

/** The buffers left after the first `bytes` of them were written; `free` gets each one written whole. */
function dropFront(buffers: Uint8Array[], bytes: number, free: ((chunk: Uint8Array) => void) | undefined): Uint8Array[] {
  const rest: Uint8Array[] = [];
  let skip = bytes;
  for (const buffer of buffers) {
    if (skip >= buffer.byteLength) {
      skip -= buffer.byteLength;
      free?.(buffer);
    } else {
      rest.push(skip > 0 ? buffer.subarray(skip) : buffer);
      skip = 0;
    }
  }
  return rest;
}
