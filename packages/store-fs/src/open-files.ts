import type { FileHandle } from 'node:fs/promises';

/** Options of {@link OpenFiles}. */
export interface OpenFilesOptions {
  /** Most data files kept open between PATCHes. */
  maxOpen: number;
  /** A file unused for this long is closed. */
  idleMs: number;
  /** Unflushed bytes of all open files together at which the file holding most is flushed in the background. */
  writeBehindBytes: number;
}

/** Background flushes in flight per store (why two: docs/design.md, "Local disk"). */
export const MAX_FLUSHES = 2;

/** One warm data file: its handle, the inode it was opened on and its background flush. */
export interface OpenFile {
  readonly id: string;
  readonly handle: FileHandle;
  readonly ino: number;
  /** Position up to which a background flush was started. */
  flushedTo: number;
  /** Position up to which bytes were written, as last reported to {@link OpenFiles.writeBehind}. */
  writtenTo: number;
  /** The background flush in flight, if any. */
  flushing: Promise<void> | undefined;
  busy: boolean;
  lastUsed: number;
}

/**
 * Data files kept open between the PATCHes of an upload, so a PATCH neither
 * opens nor closes a file, and flushed to disk in the background while bytes
 * still arrive, so the fsync at completion has little left to do.
 *
 * A file is used by one write at a time (the core locks uploads); it is closed
 * when idle, when evicted for another, or when its upload ends.
 *
 * @example
 * ```ts
 * const files = new OpenFiles({ maxOpen: 256, idleMs: 30_000, writeBehindBytes: 32 << 20 });
 * const file = files.take(id, ino) ?? files.adopt(id, await open(path, 'r+'), ino, offset);
 * try { await write(file.handle); } finally { await files.release(file); }
 * ```
 */
export class OpenFiles {
  readonly #options: OpenFilesOptions;
  readonly #files = new Map<string, OpenFile>();
  /** Failed flushes per upload: Linux reports a writeback error to each descriptor once, then forgets it. */
  readonly #failures = new Map<string, unknown>();
  #flushesInFlight = 0;
  /** Bytes written to the open files since their last flush started. */
  #unflushed = 0;
  /** The last search found no file to flush: none is looked for again before a flush ends. */
  #othersFlushing = false;
  /** Files in use by a write. */
  #busy = 0;
  #closed = false;
  #sweeper: NodeJS.Timeout | undefined;

  constructor(options: OpenFilesOptions) {
    this.#options = options;
  }

  /** The warm file of `id` for exclusive use, when it is still the file on inode `ino`. */
  take(id: string, ino: number | undefined): OpenFile | undefined {
    const file = this.#files.get(id);
    if (!file || file.busy) return undefined;
    if (file.ino !== ino) {
      void this.#close(file);
      return undefined;
    }
    file.busy = true;
    this.#busy += 1;
    return file;
  }

  /** How many writes are running. */
  get busy(): number {
    return this.#busy;
  }

  /** Registers a freshly opened file, in use by the caller. */
  adopt(id: string, handle: FileHandle, ino: number, position: number): OpenFile {
    const previous = this.#files.get(id);
    if (previous && !previous.busy) void this.#close(previous);
    this.#evictForRoom();
    this.#busy += 1;
    const file: OpenFile = {
      id,
      handle,
      ino,
      flushedTo: position,
      writtenTo: position,
      flushing: undefined,
      busy: true,
      lastUsed: Date.now(),
    };
    this.#files.set(id, file);
    this.#sweep();
    return file;
  }

  /**
   * Hands a file back after a write; it stays open for the next PATCH. When
   * the store was closed or the upload ended meanwhile, it is closed instead,
   * and the returned promise settles once it is: a write returns with no
   * descriptor left behind.
   */
  release(file: OpenFile): Promise<void> | undefined {
    file.busy = false;
    this.#busy -= 1;
    file.lastUsed = Date.now();
    if (this.#closed || this.#files.get(file.id) !== file) return this.#close(file);
    // Most recently used last, so eviction takes the oldest first.
    this.#files.delete(file.id);
    this.#files.set(file.id, file);
    return undefined;
  }

  /**
   * Records that `file` holds bytes up to `position` and, once the open files
   * together hold `writeBehindBytes` not yet flushed, starts a background
   * flush of the file holding most of them. Counted across files, so many
   * small uploads are flushed while they arrive too, not all at completion.
   * At most {@link MAX_FLUSHES} at a time per store; a flush that lags
   * behind finds more to write.
   */
  writeBehind(file: OpenFile, position: number): void {
    this.#unflushed += position - file.writtenTo;
    file.writtenTo = position;
    if (this.#flushesInFlight >= MAX_FLUSHES || this.#unflushed < this.#options.writeBehindBytes) return;
    // Until a flush ends, every other file holding unflushed bytes is still being flushed: no search needed.
    const candidate = this.#othersFlushing ? this.#ownFlush(file) : this.#dirtiest();
    this.#othersFlushing = candidate === undefined;
    if (candidate) this.#flush(candidate);
  }

  #ownFlush(file: OpenFile): OpenFile | undefined {
    return !file.flushing && file.writtenTo > file.flushedTo ? file : undefined;
  }

  #dirtiest(): OpenFile | undefined {
    let dirtiest: OpenFile | undefined;
    let most = 0;
    for (const file of this.#files.values()) {
      const unflushed = file.writtenTo - file.flushedTo;
      if (!file.flushing && unflushed > most) {
        dirtiest = file;
        most = unflushed;
      }
    }
    return dirtiest;
  }

  /** Takes `file`'s unflushed bytes out of the store's count: a flush starts on them, or the file closes. */
  #uncount(file: OpenFile): void {
    this.#unflushed -= file.writtenTo - file.flushedTo;
    file.flushedTo = file.writtenTo;
  }

  #flush(file: OpenFile): void {
    this.#uncount(file);
    this.#flushesInFlight += 1;
    file.flushing = file.handle
      .datasync()
      .catch((error: unknown) => this.failed(file.id, error))
      .finally(() => {
        this.#flushesInFlight -= 1;
        this.#othersFlushing = false;
        file.flushing = undefined;
      });
  }

  /**
   * Closes the file of `id`, if open, and returns the first failure of a
   * flush of it: data that a later fsync, on any descriptor, would no longer
   * report as lost. The failure stays until {@link forget}.
   */
  async end(id: string): Promise<unknown> {
    const file = this.#files.get(id);
    if (file) {
      // A file still in use is closed when its write hands it back.
      this.#files.delete(id);
      if (!file.busy) await this.#close(file);
    }
    return this.#failures.get(id);
  }

  /** Records a failed fsync of `id`'s data (sticky, see {@link end}). */
  failed(id: string, error: unknown): void {
    if (!this.#failures.has(id)) this.#failures.set(id, error);
  }

  /** Drops what is known of a removed upload. */
  forget(id: string): void {
    this.#failures.delete(id);
  }

  /** Closes every idle file and keeps no file open from now on (busy ones close when handed back). */
  async closeAll(): Promise<void> {
    this.#closed = true;
    clearInterval(this.#sweeper);
    this.#sweeper = undefined;
    await Promise.all([...this.#files.values()].filter((f) => !f.busy).map((f) => this.#close(f)));
  }

  /** Closes `file` once its background flush settled. */
  async #close(file: OpenFile): Promise<void> {
    if (this.#files.get(file.id) === file) this.#files.delete(file.id);
    // What the kernel still holds of a closed file is flushed at finalization or by the kernel; it no longer counts.
    this.#uncount(file);
    await file.flushing;
    await file.handle.close().catch(() => {});
  }

  #evictForRoom(): void {
    if (this.#files.size < this.#options.maxOpen) return;
    for (const file of this.#files.values()) {
      if (file.busy) continue;
      void this.#close(file);
      return;
    }
  }

  /** Closes files left idle; the timer does not keep the process alive and stops when nothing is open. */
  #sweep(): void {
    if (this.#sweeper) return;
    this.#sweeper = setInterval(() => {
      const cutoff = Date.now() - this.#options.idleMs;
      for (const file of this.#files.values()) {
        if (!file.busy && file.lastUsed < cutoff) void this.#close(file);
      }
      if (this.#files.size === 0) {
        clearInterval(this.#sweeper);
        this.#sweeper = undefined;
      }
    }, Math.max(1000, this.#options.idleMs / 2));
    this.#sweeper.unref();
  }
}
