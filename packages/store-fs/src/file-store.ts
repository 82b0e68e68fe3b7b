import { constants, createReadStream, type Stats } from 'node:fs';
import { mkdir, open, readdir, rm, stat, type FileHandle } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Readable } from 'node:stream';
import { pathToFileURL } from 'node:url';
import {
  TusError,
  type ByteRange,
  type ClosableStore,
  type ConcatenationStore,
  type DataStore,
  type LengthDeferringStore,
  type ListableStore,
  type NewUpload,
  type ReadableStore,
  type StoredObject,
  type UploadBody,
  type UploadChanges,
  type UploadHandle,
  type UploadInfo,
  type UnreadableUpload,
} from '@tuskit/core';
import { concatenateFiles } from './concat.js';
import { GatheringWriter, heldShare } from './gathering-writer.js';
import { isMissing, writeMetadata, type MetadataRecord } from './metadata-file.js';
import { OpenFiles, type OpenFile } from './open-files.js';
import { RecordCache } from './record-cache.js';
import { onStorage, storageError } from './storage-errors.js';

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
  /**
   * Once this many bytes written to the open data files, all uploads
   * together, are not yet flushed, the file holding most of them is flushed
   * to disk in the background, so that little is left for the fsync at
   * completion, however many uploads share the disk. Default 32 MiB; 0 turns
   * it off.
   */
  writeBehindBytes?: number;
  /** Most data files kept open between PATCHes. Default 256. */
  maxOpenFiles?: number;
  /** A data file unused for this long is closed. Default 30 s. */
  openFileIdleMs?: number;
}

const SAFE_ID = /^[A-Za-z0-9_-]{1,128}$/;
const WRITE_FLAGS = constants.O_WRONLY | constants.O_CREAT;
/** A record's temp file older than this belongs to no write still running. */
const STALE_TEMP_MS = 60 * 60 * 1000;

/**
 * Stores each upload as `<id>` (the bytes) and `<id>.json` (written
 * atomically, and only at creation, first-chunk detection and finalization).
 * The offset is the data file's size and the idle expiry its modification
 * time, so a PATCH writes no metadata. Between PATCHes the data file stays
 * open and the record stays in memory, both checked against the disk by one
 * `stat` each per PATCH.
 *
 * @example
 * ```ts
 * import { FileStore } from '@tuskit/store-fs';
 * const store = new FileStore({ directory: './data/uploads' });
 * ```
 */
export class FileStore implements DataStore, ListableStore, ReadableStore, ClosableStore, ConcatenationStore, LengthDeferringStore {
  readonly deferredLength = true;
  readonly directory: string;
  readonly #fsyncEachWrite: boolean;
  readonly #files: OpenFiles;
  readonly #records = new RecordCache(4096);
  #ready: Promise<unknown> | undefined;

  constructor(options: FileStoreOptions) {
    this.directory = resolve(options.directory);
    this.#fsyncEachWrite = options.fsyncEachWrite ?? false;
    this.#files = new OpenFiles({
      maxOpen: options.maxOpenFiles ?? 256,
      idleMs: options.openFileIdleMs ?? 30_000,
      writeBehindBytes: options.writeBehindBytes === 0 ? Infinity : (options.writeBehindBytes ?? 32 * 1024 * 1024),
    });
  }

  async create(upload: NewUpload): Promise<UploadHandle> {
    await this.#ensureDirectory();
    const record: MetadataRecord = {
      id: upload.id,
      size: upload.size,
      metadata: upload.metadata,
      createdAt: upload.createdAt.toISOString(),
      finalized: false,
      ...(upload.concat && { concat: upload.concat }),
    };
    try {
      await this.#writeRecord(record, true);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') throw new TusError('upload_exists');
      throw storageError(error);
    }
    try {
      await (await open(this.#dataPath(upload.id), WRITE_FLAGS)).close();
    } catch (error) {
      // No upload half made: the host was told the creation failed.
      await this.#remove(upload.id);
      throw storageError(error);
    }
    return this.#handle(toInfo(record, 0, undefined), undefined);
  }

  /** The record first, then the bytes: a crash between the two leaves an incomplete final upload, which expires. */
  async concatenate(upload: NewUpload, parts: readonly UploadHandle[]): Promise<UploadHandle> {
    await this.create(upload);
    await concatenateFiles(this.#dataPath(upload.id), parts.map((part) => this.#dataPath(part.info.id)));
    const assembled = await this.open(upload.id);
    if (!assembled) throw new TusError('not_found');
    return assembled;
  }

  async open(id: string): Promise<UploadHandle | undefined> {
    const loaded = await this.#load(id);
    return loaded && this.#handle(loaded.info, loaded.ino);
  }

  /**
   * A handle on what was loaded. It trusts the data file on inode `ino` (the
   * one `open` saw, then the one it wrote itself) to be `info.offset` bytes
   * long, so a warm file is written without another `stat`.
   */
  #handle(loaded: UploadInfo, loadedIno: number | undefined): UploadHandle {
    let info = loaded;
    let ino = loadedIno;
    return {
      get info() {
        return info;
      },
      write: async (offset, body) => {
        if (offset !== info.offset) throw new TusError('offset_mismatch');
        const file = await this.#fileFor(info.id, offset, ino);
        const writer = new GatheringWriter(file.handle, offset, this.#share, body.free?.bind(body));
        ino = undefined;
        try {
          await onStorage(() => this.#write(file, writer, body));
          ino = file.ino;
        } finally {
          info = written(info, writer.position);
        }
        return writer.position;
      },
      update: async (changes) => {
        await onStorage(() => this.#update(info.id, changes));
        info = { ...info, ...changes };
      },
      finalize: async () => {
        const object = await onStorage(() => this.#finalize(info.id));
        info = { ...info, finalized: true };
        return object;
      },
      remove: () => this.#remove(info.id),
    };
  }

  async #load(id: string): Promise<{ info: UploadInfo; ino: number | undefined } | undefined> {
    const [record, data] = await Promise.all([this.#cachedRecord(id), statIfAny(this.#dataPath(id))]);
    if (!record) return undefined;
    return { info: toInfo(record, data?.size ?? 0, data && data.size > 0 ? data.mtime : undefined), ino: data?.ino };
  }

  /** Asked at every chunk: uploads that start together would otherwise keep the large share the first saw. */
  readonly #share = () => heldShare(this.#files.busy);

  /** Streams `body` through `writer`; every consumed byte is on disk (`writer.position`) when it settles. */
  async #write(file: OpenFile, writer: GatheringWriter, body: UploadBody): Promise<void> {
    try {
      for await (const chunk of body) {
        const backpressure = writer.push(chunk);
        if (backpressure) await backpressure;
        this.#files.writeBehind(file, writer.position);
      }
    } finally {
      // Every consumed byte is on disk before this returns or rethrows: an exact offset after a failed body.
      await writer.drained();
      try {
        if (this.#fsyncEachWrite && writer.failure === undefined) await file.handle.sync();
      } finally {
        const closing = this.#files.release(file);
        if (closing) await closing;
      }
    }
    if (writer.failure !== undefined) throw writer.failure;
  }

  async #update(id: string, changes: UploadChanges): Promise<void> {
    const record = await this.#record(id);
    await this.#writeRecord({ ...record, ...changes });
  }

  async #finalize(id: string): Promise<StoredObject> {
    const record = await this.#record(id);
    const path = this.#dataPath(id);
    const failure = await this.#files.end(id);
    if (failure !== undefined) throw failure;
    const handle = await open(path, 'r');
    try {
      await handle.sync();
    } catch (error) {
      this.#files.failed(id, error);
      throw error;
    } finally {
      await handle.close();
    }
    if (record.size === undefined) throw new Error(`FileStore: upload ${id} has no length yet and cannot be finalized`);
    if (!record.finalized) await this.#writeRecord({ ...record, finalized: true });
    return { location: pathToFileURL(path).href, path, size: record.size };
  }

  async #remove(id: string): Promise<void> {
    await this.#files.end(id);
    this.#files.forget(id);
    this.#records.forget(id);
    // Two known names: no directory listing, whatever the number of uploads (temp files clean up after themselves).
    await Promise.all([this.#dataPath(id), this.#metaPath(id)].map((p) => rm(p, { force: true })));
  }

  /**
   * Every upload, for the reaper; a record it cannot read is yielded as
   * such. Also removes the temp files of record writes that a killed process
   * left, once they are an hour old.
   */
  async *list(): AsyncIterable<UploadInfo | UnreadableUpload> {
    const staleBefore = Date.now() - STALE_TEMP_MS;
    for (const name of await this.#names()) {
      if (name.endsWith('.tmp')) await this.#removeIfStale(name, staleBefore);
      if (!name.endsWith('.json')) continue;
      const id = name.slice(0, -'.json'.length);
      let upload: { info: UploadInfo } | undefined;
      try {
        upload = await this.#load(id);
      } catch (error) {
        yield { id, error };
        continue;
      }
      if (upload) yield upload.info;
    }
  }

  async #removeIfStale(name: string, staleBefore: number): Promise<void> {
    const path = join(this.directory, name);
    const stats = await statIfAny(path);
    if (stats && stats.mtimeMs < staleBefore) await rm(path, { force: true });
  }

  async read(id: string, range?: ByteRange): Promise<Readable> {
    await this.#record(id);
    return createReadStream(this.#dataPath(id), range && { start: range.start, end: range.end });
  }

  /** Path of an upload's data file (for hosts that post-process it in place). */
  dataPath(id: string): string {
    return this.#dataPath(id);
  }

  /**
   * Closes the data files kept open between PATCHes; called by the core's
   * `tus.close()`.
   *
   * @example
   * ```ts
   * await store.close();
   * ```
   */
  async close(): Promise<void> {
    await this.#files.closeAll();
  }

  /**
   * The data file to write at `offset`: the warm one when it is on the inode
   * the handle knows, else a freshly opened one whose size is checked.
   */
  async #fileFor(id: string, offset: number, ino: number | undefined): Promise<OpenFile> {
    if (ino !== undefined) {
      const warm = this.#files.take(id, ino);
      if (warm) return warm;
    }
    const handle = await this.#openData(id);
    try {
      const stats = await handle.stat();
      if (stats.size !== offset) throw new TusError('offset_mismatch');
      return this.#files.adopt(id, handle, stats.ino, offset);
    } catch (error) {
      await handle.close();
      throw error;
    }
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
    const record = await this.#cachedRecord(id);
    if (!record) throw new TusError('not_found');
    return record;
  }

  /** The record of `id`, from the cache when the file on disk is the one cached; `undefined` when there is none. */
  async #cachedRecord(id: string): Promise<MetadataRecord | undefined> {
    const metaPath = this.#metaPath(id);
    const meta = await statIfAny(metaPath);
    return meta && this.#records.read(id, metaPath, meta);
  }

  async #writeRecord(record: MetadataRecord, exclusive = false): Promise<void> {
    const stats = await writeMetadata(this.#metaPath(record.id), record, exclusive);
    // A copy: the caller's objects must not change the cached record, as they cannot change the file.
    const copy = { ...record, metadata: { ...record.metadata }, media: record.media && { ...record.media } };
    this.#records.remember(record.id, stats, copy);
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

async function statIfAny(path: string): Promise<Stats | undefined> {
  try {
    return await stat(path);
  } catch (error) {
    if (isMissing(error)) return undefined;
    throw error;
  }
}

/** Refuses any id that could name a path outside the directory. */
function safeId(id: string): string {
  if (!SAFE_ID.test(id)) throw new TusError('not_found');
  return id;
}

/** `info` after a write that ended at `position`. */
function written(info: UploadInfo, position: number): UploadInfo {
  return position > info.offset ? { ...info, offset: position, lastWriteAt: new Date() } : info;
}

function toInfo(record: MetadataRecord, offset: number, lastWriteAt: Date | undefined): UploadInfo {
  return {
    id: record.id,
    size: record.size,
    offset,
    metadata: { ...record.metadata },
    createdAt: new Date(record.createdAt),
    lastWriteAt,
    media: record.media && { ...record.media },
    finalized: record.finalized,
    ...(record.concat && { concat: record.concat }),
  };
}
