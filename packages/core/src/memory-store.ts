import { Readable } from 'node:stream';
import { TusError } from './errors.js';
import type { ByteRange, DataStore, ListableStore, ReadableStore } from './store.js';
import type { NewUpload, StoredObject, UploadChanges, UploadInfo } from './upload.js';

interface Entry {
  info: UploadInfo;
  chunks: Buffer[];
}

/**
 * A store in memory: for the core's fast tests and for unit tests of your
 * own upload flows (no disk, no Docker). Not for production.
 *
 * @example
 * ```ts
 * import { createTus, MemoryStore } from '@tuskit/core';
 * const tus = createTus({ store: new MemoryStore(), publicUrl: 'http://localhost:1080' });
 * ```
 */
export class MemoryStore implements DataStore, ListableStore, ReadableStore {
  readonly #uploads = new Map<string, Entry>();

  async create(upload: NewUpload): Promise<UploadInfo> {
    if (this.#uploads.has(upload.id)) throw new TusError('upload_exists');
    const info: UploadInfo = { ...upload, metadata: { ...upload.metadata }, offset: 0, finalized: false };
    this.#uploads.set(upload.id, { info, chunks: [] });
    return { ...info };
  }

  async get(id: string): Promise<UploadInfo | undefined> {
    const entry = this.#uploads.get(id);
    return entry && { ...entry.info };
  }

  async write(id: string, offset: number, body: AsyncIterable<Uint8Array>): Promise<number> {
    const entry = this.#entry(id);
    if (offset !== entry.info.offset) throw new TusError('offset_mismatch');
    for await (const chunk of body) {
      if (this.#uploads.get(id) !== entry) break;
      entry.chunks.push(Buffer.from(chunk));
      entry.info.offset += chunk.byteLength;
      entry.info.lastWriteAt = new Date();
    }
    return entry.info.offset;
  }

  async update(id: string, changes: UploadChanges): Promise<void> {
    Object.assign(this.#entry(id).info, changes);
  }

  async finalize(id: string): Promise<StoredObject> {
    const entry = this.#entry(id);
    entry.chunks = [Buffer.concat(entry.chunks)];
    entry.info.finalized = true;
    return { location: `memory://${id}`, size: entry.info.offset };
  }

  async remove(id: string): Promise<void> {
    this.#uploads.delete(id);
  }

  async *list(): AsyncIterable<UploadInfo> {
    for (const entry of [...this.#uploads.values()]) yield { ...entry.info };
  }

  async read(id: string, range?: ByteRange): Promise<Readable> {
    const all = Buffer.concat(this.#entry(id).chunks);
    return Readable.from([range ? all.subarray(range.start, range.end + 1) : all]);
  }

  #entry(id: string): Entry {
    const entry = this.#uploads.get(id);
    if (!entry) throw new TusError('not_found');
    return entry;
  }
}
