/**
 * A fixed number of part-sized buffers, handed out and given back: the hard
 * bound on the memory one write holds (`capacity × size`). `acquire` waits
 * while every buffer is busy, which is what applies backpressure to the
 * request body while parts upload.
 *
 * @example
 * ```ts
 * const pool = new BufferPool(8 * 1024 ** 2, 3);
 * const buffer = await pool.acquire();
 * try { await upload(buffer); } finally { pool.release(buffer); }
 * ```
 */
export class BufferPool {
  readonly #free: Buffer[] = [];
  readonly #waiting: Array<(buffer: Buffer) => void> = [];
  #allocated = 0;

  constructor(
    readonly size: number,
    readonly capacity: number,
  ) {}

  /** A buffer of `size` bytes; its contents are whatever the last user left. */
  acquire(): Promise<Buffer> {
    const free = this.#free.pop();
    if (free) return Promise.resolve(free);
    if (this.#allocated < this.capacity) {
      this.#allocated++;
      return Promise.resolve(Buffer.allocUnsafeSlow(this.size));
    }
    return new Promise((resolve) => this.#waiting.push(resolve));
  }

  release(buffer: Buffer): void {
    const next = this.#waiting.shift();
    if (next) next(buffer);
    else this.#free.push(buffer);
  }
}
