import type { Readable } from 'node:stream';
import type { Bucket, Storage } from '@google-cloud/storage';
import {
  TusError,
  type ByteRange,
  type ConcatenationStore,
  type DataStore,
  type DownloadUrlOptions,
  type DownloadUrlStore,
  type LengthDeferringStore,
  type ListableStore,
  type NewUpload,
  type ReadableStore,
  type StoredObject,
  type UploadChanges,
  type UploadBody,
  type UploadHandle,
  type UploadInfo,
} from '@tuskit/core';
import { ActiveWrites, writeParts } from '@tuskit/core/parts';
import { BucketObjects, MAX_COMPOSE_SOURCES, type UploadObjects } from './bucket-objects.js';
import { resolveChain, type BucketObject } from './chain.js';
import { composeInto } from './concat.js';
import { ObjectLayout } from './layout.js';
import { resolvePartConcurrency, resolvePartSize, resolveStorage, type GcsStoreOptions } from './options.js';
import { PartChainWriter, mergeParts } from './part-chain.js';
import {
  decodeRecord,
  encodeRecord,
  finalUploadInfo,
  liveUploadInfo,
  newRecord,
  type UploadRecord,
} from './upload-record.js';

/**
 * Where a finalized upload lives; what `onComplete` receives as `object`.
 *
 * @example
 * ```ts
 * hooks: { onComplete: ({ object }) => console.log((object as GcsStoredObject).name) }
 * ```
 */
export interface GcsStoredObject extends StoredObject {
  /** `gs://{bucket}/{name}` */
  location: string;
  bucket: string;
  /** The object's name in the bucket. */
  name: string;
  contentType: string;
}

/**
 * A Google Cloud Storage store. Each PATCH becomes immutable part objects
 * that GCS composes server-side; the offset is derived from the parts that
 * exist, never from a counter, so it is always what GCS acknowledged.
 * Finalization composes the parts into one object (content type from the
 * detected media) and deletes everything else. See the README for the design.
 *
 * @example
 * ```ts
 * import { createTus } from '@tuskit/core';
 * import { GcsStore } from '@tuskit/store-gcs';
 *
 * const store = new GcsStore({ bucket: 'media-uploads', keyPrefix: 'uploads/' });
 * const tus = createTus({ store, basePath: '/v1/uploads', publicUrl: 'https://api.example.com' });
 * ```
 */
export class GcsStore implements DataStore, ListableStore, ReadableStore, DownloadUrlStore, ConcatenationStore, LengthDeferringStore {
  readonly deferredLength = true;
  /** GCS's largest object: 5 TiB. */
  readonly maxSize = 5 * 1024 ** 4;
  readonly storage: Storage;
  readonly bucket: Bucket;
  readonly #layout: ObjectLayout;
  readonly #objects: BucketObjects;
  readonly #partSize: number;
  readonly #partConcurrency: number;
  readonly #writes = new ActiveWrites();

  constructor(options: GcsStoreOptions) {
    this.storage = resolveStorage(options.storage);
    this.bucket = this.storage.bucket(options.bucket);
    this.#layout = new ObjectLayout(options.keyPrefix ?? '');
    this.#objects = new BucketObjects(this.bucket, this.#layout);
    this.#partSize = resolvePartSize(options.partSize);
    this.#partConcurrency = resolvePartConcurrency(options.partConcurrency);
  }

  /**
   * The name of an upload's finished object in the bucket.
   *
   * @example
   * ```ts
   * store.objectName('a1'); // 'uploads/a1' with keyPrefix 'uploads/'
   * ```
   */
  objectName(id: string): string {
    return this.#layout.finalName(id);
  }

  /** Writes the upload's record; `upload_exists` when the id has a record or a finished object. */
  async create(upload: NewUpload): Promise<UploadHandle> {
    const found = await this.#objects.load(upload.id);
    if (found.final || found.info) throw new TusError('upload_exists');
    // Parts without a record were left by an interrupted removal: they must not become this upload's bytes.
    await this.#objects.delete([...found.parts, ...found.debris]);
    const record = newRecord(upload);
    const info = await this.#objects.createEmpty(this.#layout.infoName(upload.id), encodeRecord(record));
    if (!info) throw new TusError('upload_exists');
    return this.#handle(liveUploadInfo(upload.id, record, resolveChain([])), undefined);
  }

  /** The final upload's parts are composed by GCS from the partial uploads' finished objects: no byte is read. */
  async concatenate(upload: NewUpload, parts: readonly UploadHandle[]): Promise<UploadHandle> {
    const sources: BucketObject[] = [];
    for (const part of parts) {
      const source = await this.#objects.stat(this.#layout.finalName(part.info.id));
      if (!source) throw new TusError('not_found', `The partial upload ${part.info.id} has no finished object.`);
      sources.push(source);
    }
    await this.create(upload);
    await composeInto(this.#objects, upload.id, sources);
    const assembled = await this.open(upload.id);
    if (!assembled) throw new TusError('not_found');
    return assembled;
  }

  /** The upload with the offset derived from its parts, or the finished object's record. */
  async open(id: string): Promise<UploadHandle | undefined> {
    const found = await this.#objects.load(id);
    const upload = await this.#uploadInfo(found);
    return upload && this.#handle(upload, found);
  }

  /**
   * A handle on what was loaded. Its first write starts from the objects
   * `open` listed; any later call lists again, as a write or a record update
   * changes them.
   */
  #handle(loaded: UploadInfo, listed: UploadObjects | undefined): UploadHandle {
    let info = loaded;
    let found = listed;
    const { id } = loaded;
    return {
      get info() {
        return info;
      },
      write: async (offset, body) => {
        const reused = found;
        found = undefined;
        const end = await this.#write(id, offset, body, reused);
        if (end > info.offset) info = { ...info, offset: end, lastWriteAt: new Date() };
        return end;
      },
      update: async (changes) => {
        found = undefined;
        await this.#update(id, changes);
        info = { ...info, ...changes };
      },
      finalize: async () => {
        found = undefined;
        const object = await this.#finalize(id);
        info = { ...info, finalized: true };
        return object;
      },
      remove: async () => {
        found = undefined;
        await this.#remove(id);
      },
    };
  }

  /**
   * Streams the body into new part objects; every part that was read is
   * stored, also when the body fails. Starts from `reused` when given
   * instead of listing again.
   */
  async #write(id: string, offset: number, body: UploadBody, reused: UploadObjects | undefined): Promise<number> {
    return this.#writes.run(id, async (signal) => {
      const found = reused ?? (await this.#objects.load(id));
      const finished = finalRecord(found);
      if (finished && found.final) return expectOffset(offset, found.final.size);
      if (!found.info) throw new TusError('not_found');
      const chain = resolveChain(found.parts);
      expectOffset(offset, chain.offset);
      await this.#objects.delete([...chain.garbage, ...found.debris]);
      const writer = new PartChainWriter(this.#objects, id, chain.parts);
      // Cut short by `remove`, it resolves like a dropped body: the removal deletes what it wrote.
      const parts = { partSize: this.#partSize, partsInFlight: this.#partConcurrency };
      await writeParts(body, { ...parts, signal, flush: (part) => writer.append(part) });
      return writer.offset;
    });
  }

  /** Rewrites the record (once per upload in practice: when the media is detected). */
  async #update(id: string, changes: UploadChanges): Promise<void> {
    const found = await this.#objects.load(id);
    const target = finalRecord(found) ? found.final : found.info;
    const record = decodeRecord(target?.metadata);
    if (!target || !record) throw new TusError('not_found');
    await this.#objects.setMetadata(target, encodeRecord({ ...record, ...changes }));
  }

  /** Composes the parts into `{keyPrefix}{id}` (content type from the media), then deletes the staging objects. */
  async #finalize(id: string): Promise<GcsStoredObject> {
    const found = await this.#objects.load(id);
    if (found.final && finalRecord(found)) {
      await this.#deleteStaging(found);
      return this.#stored(found.final);
    }
    const record = decodeRecord(found.info?.metadata);
    if (!record) throw new TusError('not_found');
    const chain = resolveChain(found.parts);
    if (chain.offset !== record.size) {
      throw new Error(`cannot finalize upload ${id}: ${chain.offset} of ${record.size} bytes are stored`);
    }
    const sources = await mergeParts(this.#objects, id, chain.parts, MAX_COMPOSE_SOURCES);
    const final = await this.#objects.compose(sources, {
      name: this.#layout.finalName(id),
      contentType: record.media?.mime,
      metadata: encodeRecord({ ...record, lastWriteAt: chain.lastWriteAt?.toISOString() }),
    });
    await this.#deleteStaging({ ...found, parts: [...found.parts, ...sources] });
    return this.#stored(final);
  }

  /** Stops this instance's writes to the upload, then deletes every object of it. */
  async #remove(id: string): Promise<void> {
    await this.#writes.cancel(id);
    const found = await this.#objects.load(id);
    if (found.final && finalRecord(found)) await this.#objects.delete([found.final]);
    await this.#deleteStaging(found);
  }

  /**
   * Every incomplete upload, for the reaper, and every finished partial
   * upload (it expires once unused). Other finished uploads never expire.
   */
  async *list(): AsyncIterable<UploadInfo> {
    for await (const group of this.#objects.stagingGroups()) {
      const record = decodeRecord(group.info?.metadata);
      if (record) yield liveUploadInfo(group.id, record, resolveChain(group.parts));
    }
    for await (const object of this.#objects.finishedObjects()) {
      const record = decodeRecord(object.metadata);
      if (record?.concat?.type === 'partial') yield finalUploadInfo(object.name.slice(this.#layout.keyPrefix.length), record, object.size);
    }
  }

  /** Streams the finished object, whole or by inclusive range; `not_found` before finalization. */
  async read(id: string, range?: ByteRange): Promise<Readable> {
    const name = await this.#finishedName(id);
    return this.#objects.readStream(name, range);
  }

  /**
   * A V4 signed URL that downloads the finished object without credentials.
   * Signing needs a client with service-account credentials (or IAM
   * `signBlob` rights); with an emulator endpoint the URL points at it.
   *
   * @example
   * ```ts
   * const url = await store.downloadUrl(id, { expiresInSeconds: 900 });
   * ```
   */
  async downloadUrl(id: string, options: DownloadUrlOptions): Promise<string> {
    const name = await this.#finishedName(id);
    return this.#objects.signedReadUrl(name, options.expiresInSeconds, options.contentType, options.contentDisposition);
  }

  async #uploadInfo(found: UploadObjects): Promise<UploadInfo | undefined> {
    const finished = finalRecord(found);
    if (finished) {
      // Staging next to a finished object means a finalization stopped before cleaning up.
      await this.#deleteStaging(found);
      return finalUploadInfo(found.id, finished, found.final?.size ?? 0);
    }
    const record = decodeRecord(found.info?.metadata);
    return record && liveUploadInfo(found.id, record, resolveChain(found.parts));
  }

  /** Deletes parts and debris before the record, so that an interrupted cleanup still shows a known upload. */
  async #deleteStaging(found: UploadObjects): Promise<void> {
    await this.#objects.delete([...found.parts, ...found.debris]);
    if (found.info) await this.#objects.delete([found.info]);
  }

  async #finishedName(id: string): Promise<string> {
    const name = this.#layout.finalName(id);
    const final = await this.#objects.stat(name);
    if (!decodeRecord(final?.metadata)) throw new TusError('not_found');
    return name;
  }

  #stored(final: BucketObject): GcsStoredObject {
    return {
      location: `gs://${this.bucket.name}/${final.name}`,
      size: final.size,
      bucket: this.bucket.name,
      name: final.name,
      contentType: final.contentType ?? 'application/octet-stream',
    };
  }
}

/** The record on the finished object, when the object at the final name is one of ours. */
function finalRecord(found: UploadObjects): UploadRecord | undefined {
  return decodeRecord(found.final?.metadata);
}

function expectOffset(offset: number, stored: number): number {
  if (offset !== stored) throw new TusError('offset_mismatch');
  return stored;
}
