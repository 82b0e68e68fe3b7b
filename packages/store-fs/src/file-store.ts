import { constants, createReadStream } from 'node:fs';
import { mkdir, open, readdir, rm, stat, type FileHandle } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Readable } from 'node:stream';
import { pathToFileURL } from 'node:url';
import {
  TusError,
  type ByteRange,
  type DataStore,
  type ListableStore,
  type NewUpload,
  type ReadableStore,
  type StoredObject,
  type UploadChanges,
  type UploadInfo,
} from '@tuskit/core';
import { GatheringWriter } from './gathering-writer.js';
import { isMissing, readMetadata, writeMetadata, type MetadataRecord } from './metadata-file.js';

/** Options of {@link FileStore}. */
export interface FileStoreOptions {
  /** Where data and metadata files live; created when missing. */
  directory: string;
  /**
   * fsync the data file at the end of every PATCH. Off by default: the offset
   * reported by HEAD is the file's size, so a client resumes from what is
   * really there; data is always fsynced at finalization, before `onComplete`.
   */
  fsyncEachWrite?: boolean;
}

const SAFE_ID = /^[A-Za-z0-9_-]{1,128}$/;
const WRITE_FLAGS = constants.O_WRONLY | constants.O_CREAT;

/**
 * Stores each upload as `<id>` (the bytes) and `<id>.json` (written
 * atomically, and only at creation, first-chunk detection and finalization).
 * The offset is the data file's size and the idle expiry its modification
 * time, so a PATCH writes no metadata.
 *
 * @example
 * ```ts
 * import { FileStore } from '@tuskit/store-fs';
 * const store = new FileStore({ directory: './data/uploads' });
 * ```
 */
export class FileStore implements DataStore, ListableStore, ReadableStore {
  readonly directory: string;
  readonly #fsyncEachWrite: boolean;
  #ready: Promise<unknown> | undefined;

  constructor(options: FileStoreOptions) {
    this.directory = resolve(options.directory);
    this.#fsyncEachWrite = options.fsyncEachWrite ?? false;
  }

  async create(upload: NewUpload): Promise<UploadInfo> {
    await this.#ensureDirectory();
    const record: MetadataRecord = {
      id: upload.id,
      size: upload.size,
      metadata: upload.metadata,
      createdAt: upload.createdAt.toISOString(),
      finalized: false,
    };
    try {
      await writeMetadata(this.#metaPath(upload.id), record, true);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') throw new TusError('upload_exists');
      throw error;
    }
    await (await open(this.#dataPath(upload.id), WRITE_FLAGS)).close();
    return toInfo(record, 0, undefined);
  }

  async get(id: string): Promise<UploadInfo | undefined> {
    const record = await readMetadata(this.#metaPath(id));
    if (!record) return undefined;
    const data = await stat(this.#dataPath(id)).catch((error: unknown) => {
      if (isMissing(error)) return undefined;
      throw error;
    });
    return toInfo(record, data?.size ?? 0, data && data.size > 0 ? data.mtime : undefined);
  }

  async write(id: string, offset: number, body: AsyncIterable<Uint8Array>): Promise<number> {
    const handle = await this.#openData(id);
    const writer = new GatheringWriter(handle, offset);
    try {
      if ((await handle.stat()).size !== offset) throw new TusError('offset_mismatch');
      for await (const chunk of body) await writer.push(chunk);
    } finally {
      // Every consumed byte is on disk before this returns or rethrows: an exact offset after a failed body.
      await writer.drained();
      if (this.#fsyncEachWrite && writer.failure === undefined) await handle.sync();
      await handle.close();
    }
    if (writer.failure !== undefined) throw writer.failure;
    return writer.position;
  }

  async update(id: string, changes: UploadChanges): Promise<void> {
    const record = await this.#record(id);
    await writeMetadata(this.#metaPath(id), { ...record, ...changes });
  }

  async finalize(id: string): Promise<StoredObject> {
    const record = await this.#record(id);
    const path = this.#dataPath(id);
    const handle = await open(path, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
    if (!record.finalized) await writeMetadata(this.#metaPath(id), { ...record, finalized: true });
    return { location: pathToFileURL(path).href, path, size: record.size };
  }

  async remove(id: string): Promise<void> {
    const leftovers = (await this.#names()).filter((name) => name.startsWith(`${id}.`) && name.endsWith('.tmp'));
    await Promise.all(
      [this.#dataPath(id), this.#metaPath(id), ...leftovers.map((n) => join(this.directory, n))].map((p) =>
        rm(p, { force: true }),
      ),
    );
  }

  async *list(): AsyncIterable<UploadInfo> {
    for (const name of await this.#names()) {
      if (!name.endsWith('.json')) continue;
      const upload = await this.get(name.slice(0, -'.json'.length));
      if (upload) yield upload;
    }
  }

  async read(id: string, range?: ByteRange): Promise<Readable> {
    await this.#record(id);
    return createReadStream(this.#dataPath(id), range && { start: range.start, end: range.end });
  }

  /** Path of an upload's data file (for hosts that post-process it in place). */
  dataPath(id: string): string {
    return this.#dataPath(id);
  }

  /** Opens the data file without ever creating one for a removed upload. */
  async #openData(id: string): Promise<FileHandle> {
    try {
      return await open(this.#dataPath(id), 'r+');
    } catch (error) {
      if (!isMissing(error)) throw error;
      // A crash between writing the metadata and creating the data file.
      await this.#record(id);
      return open(this.#dataPath(id), WRITE_FLAGS);
    }
  }

  async #record(id: string): Promise<MetadataRecord> {
    const record = await readMetadata(this.#metaPath(id));
    if (!record) throw new TusError('not_found');
    return record;
  }

  async #names(): Promise<string[]> {
    return readdir(this.directory).catch((error: unknown) => {
      if (isMissing(error)) return [];
      throw error;
    });
  }

  #ensureDirectory(): Promise<unknown> {
    this.#ready ??= mkdir(this.directory, { recursive: true });
    return this.#ready;
  }

  #dataPath(id: string): string {
    return join(this.directory, safeId(id));
  }

  #metaPath(id: string): string {
    return join(this.directory, `${safeId(id)}.json`);
  }
}

/** Refuses any id that could name a path outside the directory. */
function safeId(id: string): string {
  if (!SAFE_ID.test(id)) throw new TusError('not_found');
  return id;
}

function toInfo(record: MetadataRecord, offset: number, lastWriteAt: Date | undefined): UploadInfo {
  return {
    id: record.id,
    size: record.size,
    offset,
    metadata: record.metadata,
    createdAt: new Date(record.createdAt),
    lastWriteAt,
    media: record.media,
    finalized: record.finalized,
  };
}
