import { Readable } from 'node:stream';
import { TusError } from './errors.js';
import type { ByteRange, ConcatenationStore, DataStore, LengthDeferringStore, ListableStore, ReadableStore, UploadBody, UploadHandle } from './store.js';
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
export class MemoryStore implements DataStore, ListableStore, ReadableStore, ConcatenationStore, LengthDeferringStore {
  readonly deferredLength = true;
  readonly #uploads = new Map<string, Entry>();

  async create(upload: NewUpload): Promise<UploadHandle> {
    if (this.#uploads.has(upload.id)) throw new TusError('upload_exists');
    const info: UploadInfo = { ...upload, metadata: { ...upload.metadata }, offset: 0, finalized: false };
    this.#uploads.set(upload.id, { info, chunks: [] });
    return new MemoryUpload(this.#uploads, upload.id);
  }

  async concatenate(upload: NewUpload, parts: readonly UploadHandle[]): Promise<UploadHandle> {
    const chunks = parts.flatMap((part) => {
      const entry = this.#uploads.get(part.info.id);
      if (!entry) throw new TusError('not_found');
      return entry.chunks;
    });
    await this.create(upload);
    const entry = this.#uploads.get(upload.id) as Entry;
    entry.chunks = [...chunks];
    entry.info.offset = chunks.reduce((total, chunk) => total + chunk.byteLength, 0);
    return new MemoryUpload(this.#uploads, upload.id);
  }

  async open(id: string): Promise<UploadHandle | undefined> {
    return this.#uploads.has(id) ? new MemoryUpload(this.#uploads, id) : undefined;
  }

  async *list(): AsyncIterable<UploadInfo> {
    for (const entry of [...this.#uploads.values()]) yield copyOf(entry.info);
  }

  async read(id: string, range?: ByteRange): Promise<Readable> {
    const entry = this.#uploads.get(id);
    if (!entry) throw new TusError('not_found');
    const all = Buffer.concat(entry.chunks);
    return Readable.from([range ? all.subarray(range.start, range.end + 1) : all]);
  }
}

class MemoryUpload implements UploadHandle {
  info: UploadInfo;
  readonly #uploads: Map<string, Entry>;
  readonly #id: string;

  constructor(uploads: Map<string, Entry>, id: string) {
    this.#uploads = uploads;
    this.#id = id;
    this.info = copyOf(this.#entry().info);
  }

  async write(offset: number, body: UploadBody): Promise<number> {
    const entry = this.#entry();
    if (offset !== entry.info.offset) throw new TusError('offset_mismatch');
    try {
      for await (const chunk of body) {
        if (this.#uploads.get(this.#id) !== entry) break;
        entry.chunks.push(Buffer.from(chunk));
        entry.info.offset += chunk.byteLength;
        entry.info.lastWriteAt = new Date();
      }
    } finally {
      this.info = copyOf(entry.info);
    }
    return entry.info.offset;
  }

  async update(changes: UploadChanges): Promise<void> {
    const entry = this.#entry();
    Object.assign(entry.info, changes);
    this.info = copyOf(entry.info);
  }

  async finalize(): Promise<StoredObject> {
    const entry = this.#entry();
    entry.chunks = [Buffer.concat(entry.chunks)];
    entry.info.finalized = true;
    this.info = copyOf(entry.info);
    return { location: `memory://${this.#id}`, size: entry.info.offset };
  }

  async remove(): Promise<void> {
    this.#uploads.delete(this.#id);
  }

  #entry(): Entry {
    const entry = this.#uploads.get(this.#id);
    if (!entry) throw new TusError('not_found');
    return entry;
  }
}

function copyOf(info: UploadInfo): UploadInfo {
  return { ...info, metadata: { ...info.metadata }, media: info.media && { ...info.media } };
}
