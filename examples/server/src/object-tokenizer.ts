import type { Readable } from 'node:stream';
import type { ReadableStore } from '@tuskit/core';
import { AbstractTokenizer, EndOfStreamError, type IRandomAccessFileInfo, type IReadChunkOptions } from 'strtok3';

/** Forward gaps up to this size are read through rather than paid for with a new ranged read. */
const SKIP_THROUGH_BYTES = 1024 * 1024;
/** Consumed bytes kept for seeks back: parsers peek at bytes, then read them again. */
const LOOKBEHIND_BYTES = 64 * 1024;

/**
 * The object could not be read (store failure or shutdown), as opposed to
 * unparsable bytes.
 *
 * @example
 * ```ts
 * if (error instanceof ObjectReadError) return; // leave the asset processing; retried at the next start
 * ```
 */
export class ObjectReadError extends Error {
  override readonly name = 'ObjectReadError';
}

/** Bytes at any position of an object; {@link ObjectCursor} reads them from a store. */
export interface RandomAccessReader {
  /** Fills `target` from `position`; fewer bytes only at the end of the object. */
  read(target: Uint8Array, position: number): Promise<number>;
  close(): void;
}

/**
 * Reads a stored object at any position through `store.read(id, range)`:
 * forward reads share one open stream, and so do seeks back into the last
 * 64 KiB read (a parser peeking, then reading); a seek further back or far
 * ahead opens a new ranged read, so a parser that jumps to the end of a
 * 50 GB file (an MP4 `moov` box) costs two requests, not 50 GB.
 *
 * @example
 * ```ts
 * const cursor = new ObjectCursor(store, id, size);
 * const read = await cursor.read(new Uint8Array(8), size - 8); // the last 8 bytes
 * cursor.close();
 * ```
 */
export class ObjectCursor implements RandomAccessReader {
  readonly #store: ReadableStore;
  readonly #id: string;
  readonly #size: number;
  readonly #signal: AbortSignal | undefined;
  #stream: Readable | undefined;
  #chunks: AsyncIterator<Uint8Array> | undefined;
  #pending: Uint8Array = new Uint8Array(0);
  /** Position of the first byte of `#pending` in the object. */
  #position = 0;
  /** The bytes consumed right before `#position`, oldest first: the last {@link LOOKBEHIND_BYTES} or more. */
  #behind: Uint8Array[] = [];
  #behindBytes = 0;

  constructor(store: ReadableStore, id: string, size: number, signal?: AbortSignal) {
    this.#store = store;
    this.#id = id;
    this.#size = size;
    this.#signal = signal;
  }

  /** Fills `target` from `position`; fewer bytes only at the end of the object. */
  async read(target: Uint8Array, position: number): Promise<number> {
    if (position >= this.#size || target.byteLength === 0) return 0;
    await this.#seek(position);
    let filled = 0;
    while (filled < target.byteLength && (await this.#fill())) {
      const n = Math.min(this.#pending.byteLength, target.byteLength - filled);
      target.set(this.#pending.subarray(0, n), filled);
      this.#consume(n);
      filled += n;
    }
    return filled;
  }

  close(): void {
    this.#stream?.destroy();
    this.#stream = undefined;
    this.#chunks = undefined;
    this.#pending = new Uint8Array(0);
    this.#behind = [];
    this.#behindBytes = 0;
  }

  async #seek(position: number): Promise<void> {
    const gap = position - this.#position;
    if (gap < 0 && -gap <= this.#behindBytes) return this.#unread(-gap);
    if (this.#chunks && gap >= 0 && gap <= SKIP_THROUGH_BYTES) {
      for (let left = gap; left > 0 && (await this.#fill()); ) {
        const n = Math.min(this.#pending.byteLength, left);
        this.#consume(n);
        left -= n;
      }
      if (this.#position === position) return;
    }
    this.close();
    this.#stream = await this.#guard(() => this.#store.read(this.#id, { start: position, end: this.#size - 1 }));
    this.#chunks = this.#stream[Symbol.asyncIterator]() as AsyncIterator<Uint8Array>;
    this.#position = position;
  }

  /** Makes sure `#pending` holds bytes; false at the end of the object. */
  async #fill(): Promise<boolean> {
    if (this.#pending.byteLength > 0) return true;
    const chunks = this.#chunks;
    if (!chunks) return false;
    const next = await this.#guard(() => chunks.next());
    if (next.done) return false;
    this.#pending = next.value;
    return this.#pending.byteLength > 0 || this.#fill();
  }

  #consume(n: number): void {
    this.#behind.push(this.#pending.subarray(0, n));
    this.#behindBytes += n;
    while (this.#behindBytes - this.#behind[0]!.byteLength >= LOOKBEHIND_BYTES) {
      this.#behindBytes -= this.#behind.shift()!.byteLength;
    }
    this.#pending = this.#pending.subarray(n);
    this.#position += n;
  }

  /** Moves back `n` kept bytes: they are pending again. */
  #unread(n: number): void {
    const pieces = [this.#pending];
    for (let left = n; left > 0; ) {
      const last = this.#behind.pop()!;
      const taken = Math.min(left, last.byteLength);
      pieces.unshift(last.subarray(last.byteLength - taken));
      if (taken < last.byteLength) this.#behind.push(last.subarray(0, last.byteLength - taken));
      left -= taken;
    }
    this.#behindBytes -= n;
    this.#pending = Buffer.concat(pieces);
    this.#position -= n;
  }

  async #guard<T>(read: () => Promise<T>): Promise<T> {
    try {
      this.#signal?.throwIfAborted();
      return await read();
    } catch (error) {
      throw new ObjectReadError(`Could not read object ${this.#id}.`, { cause: error });
    }
  }
}

/**
 * A random-access strtok3 tokenizer over a {@link RandomAccessReader}, so
 * that `music-metadata` parses objects of any store the way it parses a
 * local file.
 *
 * @example
 * ```ts
 * const tokenizer = new ObjectTokenizer(new ObjectCursor(store, id, size), { size });
 * const { format } = await parseFromTokenizer(tokenizer, { duration: true });
 * ```
 */
export class ObjectTokenizer extends AbstractTokenizer {
  readonly fileInfo: IRandomAccessFileInfo;
  readonly #cursor: RandomAccessReader;

  constructor(cursor: RandomAccessReader, fileInfo: IRandomAccessFileInfo) {
    super();
    this.#cursor = cursor;
    this.fileInfo = fileInfo;
  }

  supportsRandomAccess(): boolean {
    return true;
  }

  setPosition(position: number): void {
    this.validateLength(position, 'position');
    this.position = position;
  }

  async readBuffer(target: Uint8Array, options?: IReadChunkOptions): Promise<number> {
    const read = this.normalizeOptions(target, options);
    const bytes = await this.#readAt(target, read);
    this.position = read.position + bytes;
    return bytes;
  }

  async peekBuffer(target: Uint8Array, options?: IReadChunkOptions): Promise<number> {
    return this.#readAt(target, this.normalizeOptions(target, options));
  }

  protected override async closeOnce(): Promise<void> {
    this.#cursor.close();
    await super.closeOnce();
  }

  async #readAt(target: Uint8Array, read: { length: number; position: number; mayBeLess?: boolean }): Promise<number> {
    const bytes = await this.#cursor.read(target.subarray(0, read.length), read.position);
    if (!read.mayBeLess && bytes < read.length) throw new EndOfStreamError();
    return bytes;
  }
}
