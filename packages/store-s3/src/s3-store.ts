import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import {
  DEFAULT_MAX_SIZE,
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
import { SpareBuffers } from '@tuskit/core/parts';
import type { Readable } from 'node:stream';
import { deleteKeys, listObjects, putObject, type Bucket } from './bucket.js';
import { planParts, sendPart } from './concat.js';
import { isMissing, s3 } from './errors.js';
import { createInfo, readInfo, replaceInfo, type InfoRecord, type StoredInfo } from './info.js';
import { idOfInfoKey, UploadKeys } from './keys.js';
import { abortMultipart, abortMultipartUploadsOf, completeMultipart, startMultipart } from './multipart.js';
import { resolveOptions, type ResolvedS3StoreOptions, type S3StoreOptions } from './options.js';
import { MAX_OBJECT_SIZE, partSizeFor } from './part-size.js';
import { PartWriter } from './part-writer.js';
import { loadState, toUploadInfo, type UploadState } from './state.js';

/** Attempts of a conditional record update before giving up on a record that keeps changing. */
const RECORD_UPDATE_ATTEMPTS = 3;

/**
 * Where a finalized upload lives in S3.
 *
 * @example
 * ```ts
 * const { bucket, key } = (await upload.finalize()) as S3StoredObject;
 * ```
 */
export interface S3StoredObject extends StoredObject {
  /** `s3://<bucket>/<key>` */
  location: string;
  bucket: string;
  key: string;
}

/**
 * Stores each upload as one S3 multipart upload, with its record in
 * `<prefix><id>.info`. Parts are cut at the part size as bytes stream in;
 * the bytes a PATCH leaves below a part boundary are kept as tail segments
 * (`<prefix><id>.tail/…`) until the next PATCH completes the part. The
 * offset is the size of the parts plus the tail segments, as listed by S3,
 * so a PATCH never rewrites the record and a crash can never make the
 * offset lie. Finalization completes the multipart upload into
 * `<prefix><id>`.
 *
 * @example
 * ```ts
 * import { S3Store } from '@tuskit/store-s3';
 * const store = new S3Store({
 *   bucket: 'uploads',
 *   client: { endpoint: 'http://127.0.0.1:9000', region: 'us-east-1', forcePathStyle: true },
 * });
 * ```
 */
export class S3Store implements DataStore, ListableStore, ReadableStore, DownloadUrlStore, ConcatenationStore, LengthDeferringStore {
  readonly deferredLength = true;
  /** S3's largest object. */
  readonly maxSize = MAX_OBJECT_SIZE;
  /** The client the store sends with; destroy it when you created the store from a configuration. */
  readonly client: S3Client;
  readonly bucket: string;
  readonly keyPrefix: string;
  readonly #options: ResolvedS3StoreOptions;
  readonly #bucket: Bucket;
  /** Part buffers kept between PATCHes. */
  readonly #spares: SpareBuffers;

  constructor(options: S3StoreOptions) {
    this.#options = resolveOptions(options);
    this.#spares = new SpareBuffers(this.#options.maxBufferedParts);
    this.client = this.#options.client;
    this.bucket = this.#options.bucket;
    this.keyPrefix = this.#options.keyPrefix;
    this.#bucket = { client: this.client, name: this.bucket };
  }

  async create(upload: NewUpload): Promise<UploadHandle> {
    await createInfo(this.#bucket, this.#keys(upload.id).info, this.#newRecord(upload, undefined));
    const info = { ...upload, offset: 0, lastWriteAt: undefined, media: undefined, finalized: false };
    return this.#handle(info, undefined);
  }

  /** The record of a new upload, with the multipart upload it already has, if any. */
  #newRecord(upload: NewUpload, uploadId: string | undefined): InfoRecord {
    return {
      id: upload.id,
      size: upload.size,
      metadata: upload.metadata,
      createdAt: upload.createdAt.toISOString(),
      // A length to come is sized as the largest default upload: see the README's "Deferred length".
      partSize: partSizeFor(upload.size ?? DEFAULT_MAX_SIZE, this.#options.partSize),
      ...(uploadId !== undefined && { uploadId }),
      finalized: false,
      ...(upload.concat && { concat: upload.concat }),
    };
  }

  /**
   * The final upload's multipart upload gets its parts from the partial
   * objects: copied inside S3 (`UploadPartCopy`) where a part can come from
   * one object, sent through the process where S3's 5 MiB minimum part makes
   * small partials share a part. Its offset is then its size, derived from
   * the parts as for any upload; finalization completes it.
   */
  async concatenate(upload: NewUpload, parts: readonly UploadHandle[]): Promise<UploadHandle> {
    const keys = this.#keys(upload.id);
    const plan = planParts(parts.map((part) => part.info.offset));
    const uploadId = plan.length > 0 ? await startMultipart(this.#bucket, keys.object) : undefined;
    try {
      await createInfo(this.#bucket, keys.info, this.#newRecord(upload, uploadId));
    } catch (error) {
      if (uploadId !== undefined) await abortMultipart(this.#bucket, keys.object, uploadId);
      throw error;
    }
    if (uploadId !== undefined) {
      const target = { key: keys.object, uploadId, sources: parts.map((part) => this.#keys(part.info.id).object) };
      for (const [index, part] of plan.entries()) await sendPart(this.#bucket, target, index + 1, part);
    }
    const state = await this.#state(upload.id);
    return this.#handle(toUploadInfo(state), state);
  }

  async open(id: string): Promise<UploadHandle | undefined> {
    const state = await loadState(this.#bucket, this.#keys(id));
    return state && this.#handle(toUploadInfo(state), state);
  }

  /**
   * A handle on what was loaded. Its first write starts from the state `open`
   * loaded; any later call loads again, as a write or a record update changes
   * the upload.
   */
  #handle(loaded: UploadInfo, loadedState: UploadState | undefined): UploadHandle {
    let info = loaded;
    let state = loadedState;
    const { id } = loaded;
    return {
      get info() {
        return info;
      },
      write: async (offset, body) => {
        const current = state ?? (await this.#state(id));
        state = undefined;
        const end = await this.#write(current, offset, body);
        if (end > info.offset) info = { ...info, offset: end, lastWriteAt: new Date() };
        return end;
      },
      update: async (changes) => {
        state = undefined;
        await this.#update(id, changes);
        info = { ...info, ...changes };
      },
      finalize: async () => {
        state = undefined;
        const object = await this.#finalize(id);
        info = { ...info, finalized: true };
        return object;
      },
      remove: async () => {
        state = undefined;
        await this.#remove(id);
      },
    };
  }

  async #write(state: UploadState, offset: number, body: UploadBody): Promise<number> {
    if (offset !== state.offset) throw new TusError('offset_mismatch');
    if (state.completed) return rejectBytes(body, state.offset);
    return new PartWriter(this.#bucket, state, { ...this.#options, spares: this.#spares }).write(body);
  }

  async #update(id: string, changes: UploadChanges): Promise<void> {
    const keys = this.#keys(id);
    if (!(await this.#updateRecord(keys, (record) => ({ ...record, ...changes })))) throw new TusError('not_found');
  }

  async #finalize(id: string): Promise<S3StoredObject> {
    const state = await this.#state(id);
    const { keys, record } = state;
    if (!state.completed) await this.#complete(state);
    const known = { record, etag: state.etag };
    if (!record.finalized && !(await this.#updateRecord(keys, (r) => ({ ...r, finalized: true }), known))) {
      // Removed while completing: the final object must not outlive the upload.
      await deleteKeys(this.#bucket, [keys.object]);
      throw new TusError('not_found');
    }
    await Promise.all([
      abortMultipartUploadsOf(this.#bucket, keys.object),
      deleteKeys(this.#bucket, state.staleTail.map((segment) => segment.key)),
    ]);
    return { location: `s3://${this.bucket}/${keys.object}`, size: state.offset, bucket: this.bucket, key: keys.object };
  }

  async #remove(id: string): Promise<void> {
    const keys = this.#keys(id);
    // The record goes first: a write still running sees it gone and removes what it adds afterwards.
    await deleteKeys(this.#bucket, [keys.info]);
    await abortMultipartUploadsOf(this.#bucket, keys.object);
    const rest = [keys.object];
    for await (const object of listObjects(this.#bucket, keys.tailPrefix)) rest.push(object.key);
    await deleteKeys(this.#bucket, rest);
  }

  async *list(): AsyncIterable<UploadInfo> {
    for await (const object of listObjects(this.#bucket, this.keyPrefix, '/')) {
      const id = idOfInfoKey(this.keyPrefix, object.key);
      const state = id === undefined ? undefined : await loadState(this.#bucket, this.#keys(id));
      if (state) yield toUploadInfo(state);
    }
  }

  async read(id: string, range?: ByteRange): Promise<Readable> {
    const command = new GetObjectCommand({
      Bucket: this.bucket,
      Key: this.#keys(id).object,
      Range: range && `bytes=${range.start}-${range.end}`,
    });
    try {
      const object = await s3(this.client.send(command));
      return object.Body as Readable;
    } catch (error) {
      if (isMissing(error)) throw new TusError('not_found');
      throw error;
    }
  }

  /**
   * A presigned GET URL of a finalized upload, served with `contentType`
   * (default: the detected media type).
   *
   * @example
   * ```ts
   * const url = await store.downloadUrl(id, { expiresInSeconds: 900 });
   * ```
   */
  async downloadUrl(id: string, options: DownloadUrlOptions): Promise<string> {
    const keys = this.#keys(id);
    const info = await readInfo(this.#bucket, keys.info);
    if (!info?.record.finalized) throw new TusError('not_found');
    const command = new GetObjectCommand({
      Bucket: this.bucket,
      Key: keys.object,
      ResponseContentType: options.contentType ?? info.record.media?.mime,
      ResponseContentDisposition: options.contentDisposition,
    });
    return getSignedUrl(this.client, command, { expiresIn: options.expiresInSeconds });
  }

  async #state(id: string): Promise<UploadState> {
    const state = await loadState(this.#bucket, this.#keys(id));
    if (!state) throw new TusError('not_found');
    return state;
  }

  async #complete(state: UploadState): Promise<void> {
    const { keys, record } = state;
    if (state.offset !== record.size) {
      const holds = `${state.offset} of ${record.size} bytes`;
      throw new Error(`S3Store: upload ${record.id} holds ${holds} and cannot be finalized`);
    }
    if (state.parts.length > 0 && record.uploadId !== undefined) {
      await completeMultipart(this.#bucket, keys.object, record.uploadId, state.parts);
    } else {
      await putObject(this.#bucket, keys.object, new Uint8Array(), record.media?.mime);
    }
  }

  /**
   * Rewrites the record conditionally (`If-Match`), retrying on a
   * concurrent change; false when the upload is gone.
   */
  async #updateRecord(
    keys: UploadKeys,
    change: (record: InfoRecord) => InfoRecord,
    known?: StoredInfo,
  ): Promise<boolean> {
    let current = known ?? (await readInfo(this.#bucket, keys.info));
    for (let attempt = 1; current; attempt++) {
      if (await replaceInfo(this.#bucket, keys.info, change(current.record), current.etag)) return true;
      if (attempt === RECORD_UPDATE_ATTEMPTS) throw new Error(`S3Store: the record of ${keys.id} keeps changing`);
      current = await readInfo(this.#bucket, keys.info);
    }
    return false;
  }

  #keys(id: string): UploadKeys {
    return new UploadKeys(this.keyPrefix, id);
  }
}

/** A complete upload takes no more bytes. */
async function rejectBytes(body: AsyncIterable<Uint8Array>, offset: number): Promise<number> {
  for await (const chunk of body) if (chunk.byteLength > 0) throw new TusError('length_exceeded');
  return offset;
}
