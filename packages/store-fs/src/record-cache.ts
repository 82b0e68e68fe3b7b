import type { Stats } from 'node:fs';
import { readMetadata, type MetadataRecord } from './metadata-file.js';

/**
 * Metadata records kept in memory and checked against the file's identity
 * (inode, size, times) on every use, so a PATCH costs a `stat` rather than
 * an open, read and close, and a record rewritten by another process (every
 * write is a rename of a new file) is read again. A record this process
 * writes is remembered with the stats of the file it wrote, so the next PATCH
 * does not read it back.
 *
 * @example
 * ```ts
 * const records = new RecordCache(4096);
 * const record = await records.read(id, metaPath, await stat(metaPath));
 * ```
 */
export class RecordCache {
  readonly #max: number;
  readonly #entries = new Map<string, { stamp: string; record: MetadataRecord }>();

  constructor(max: number) {
    this.#max = max;
  }

  /** The record in `path`, as of `stats`; `undefined` when the file is gone. */
  async read(id: string, path: string, stats: Stats): Promise<MetadataRecord | undefined> {
    const stamp = stampOf(stats);
    const cached = this.#entries.get(id);
    if (cached?.stamp === stamp) return cached.record;
    const record = await readMetadata(path);
    if (!record) {
      this.#entries.delete(id);
      return undefined;
    }
    // Read after the stat: a record replaced in between is cached under the older stamp and read again next time.
    this.#set(id, stamp, record);
    return record;
  }

  /** Keeps a record just written, as of the stats of the file it was written to. */
  remember(id: string, stats: Stats, record: MetadataRecord): void {
    this.#set(id, stampOf(stats), record);
  }

  forget(id: string): void {
    this.#entries.delete(id);
  }

  #set(id: string, stamp: string, record: MetadataRecord): void {
    this.#entries.delete(id);
    this.#entries.set(id, { stamp, record });
    if (this.#entries.size > this.#max) this.#entries.delete(this.#entries.keys().next().value as string);
  }
}

function stampOf(stats: Stats): string {
  return `${stats.ino}:${stats.size}:${stats.mtimeMs}:${stats.ctimeMs}`;
}
