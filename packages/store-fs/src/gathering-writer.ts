import type { FileHandle } from 'node:fs/promises';


/**
 * Writes a stream of chunks at increasing positions with one `writev` in
 * flight while the next chunks gather, so the disk and the socket work at
 * once. `position` is exact even when a write fails midway.
 *
 * @example
 * ```ts
 * const writer = new GatheringWriter(handle, offset, 1024 * 1024);
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
  #writing: Promise<void> | undefined;

  readonly #free: ((chunk: Uint8Array) => void) | undefined;

  /**
   * @param maxGathered Bytes gathered behind the write in flight before the reader waits for it.
   * @param free Called with each chunk once all of it is on disk (see `UploadBody.free`).
   */
  constructor(
    handle: FileHandle,
    offset: number,
    readonly maxGathered: number,
    free?: (chunk: Uint8Array) => void,
  ) {
    this.#handle = handle;
    this.position = offset;
    this.#free = free;
  }

  /**
   * Queues a chunk. Returns a promise to wait on only when enough is gathered
   * behind the write in flight: most chunks cost no promise at all.
   */
  push(chunk: Uint8Array): Promise<void> | undefined {
    if (this.failure !== undefined) throw this.failure;
    this.#gathered.push(chunk);
    this.#gatheredBytes += chunk.byteLength;
    this.#writing ??= this.#drain();
    return this.#gatheredBytes >= this.maxGathered ? this.#writing : undefined;
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
