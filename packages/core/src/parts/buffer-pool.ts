/**
 * Part buffers a store keeps between writes, so that a PATCH reuses the
 * buffers of the previous one instead of allocating (and faulting in) fresh
 * ones that only a collection gives back: at most `capacity` buffers, any size.
 *
 * @example
 * ```ts
 * import { BufferPool, SpareBuffers } from '@tuskit/core/parts';
 *
 * const spares = new SpareBuffers(3); // one per store instance
 * const pool = new BufferPool(8 * 1024 ** 2, 3, spares); // one per write
 * ```
 */
export class SpareBuffers {
  readonly #buffers: Buffer[] = [];

  constructor(readonly capacity: number) {}

  /**
   * A kept buffer of exactly `size` bytes, if any.
   *
   * @example
   * ```ts
   * const buffer = spares.take(partSize) ?? Buffer.allocUnsafeSlow(partSize);
   * ```
   */
  take(size: number): Buffer | undefined {
    const index = this.#buffers.findIndex((buffer) => buffer.length === size);
    return index === -1 ? undefined : this.#buffers.splice(index, 1)[0];
  }

  /**
   * Keeps `buffer` for a later write, unless enough are kept already.
   *
   * @example
   * ```ts
   * spares.give(buffer); // the write is over
   * ```
   */
  give(buffer: Buffer): void {
    if (this.#buffers.length < this.capacity) this.#buffers.push(buffer);
  }
}

/**
 * A fixed number of part-sized buffers, handed out and given back: the hard
 * bound on the memory one write holds (`capacity × size`). `acquire` waits
 * while every buffer is busy, which is what applies backpressure to the
 * request body while parts upload. Buffers come from and return to the
 * store's {@link SpareBuffers} when given.
 *
 * @example
 * ```ts
 * import { BufferPool } from '@tuskit/core/parts';
 *
 * const pool = new BufferPool(8 * 1024 ** 2, 3);
 * const buffer = await pool.acquire();
 * try { await upload(buffer); } finally { pool.release(buffer); }
 * pool.close();
 * ```
 */
export class BufferPool {
  readonly #free: Buffer[] = [];
  readonly #waiting: Array<(buffer: Buffer) => void> = [];
  #allocated = 0;

  constructor(
    readonly size: number,
    readonly capacity: number,
    readonly spares?: SpareBuffers,
  ) {}

  /**
   * A buffer of `size` bytes; its contents are whatever the last user left.
   * Waits while all `capacity` buffers are out.
   *
   * @example
   * ```ts
   * const buffer = await pool.acquire();
   * ```
   */
  acquire(): Promise<Buffer> {
    const free = this.#free.pop();
    if (free) return Promise.resolve(free);
    if (this.#allocated < this.capacity) {
      this.#allocated++;
      return Promise.resolve(this.spares?.take(this.size) ?? Buffer.allocUnsafeSlow(this.size));
    }
    return new Promise((resolve) => this.#waiting.push(resolve));
  }

  /**
   * Gives a buffer back, to the oldest waiting `acquire` if any.
   *
   * @example
   * ```ts
   * pool.release(buffer); // its part is uploaded
   * ```
   */
  release(buffer: Buffer): void {
    const next = this.#waiting.shift();
    if (next) next(buffer);
    else this.#free.push(buffer);
  }

  /**
   * The write is over: its idle buffers go to the spares.
   *
   * @example
   * ```ts
   * pool.close();
   * ```
   */
  close(): void {
    for (const buffer of this.#free.splice(0)) this.spares?.give(buffer);
  }
}
