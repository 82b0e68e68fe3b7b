import type { Readable } from 'node:stream';
import { BlobSASPermissions, StorageSharedKeyCredential, type ContainerClient } from '@azure/storage-blob';
import {
  TusError,
  type ByteRange,
  type DataStore,
  type DownloadUrlOptions,
  type DownloadUrlStore,
  type LengthDeferringStore,
  type ListableStore,
  type NewUpload,
  type ReadableStore,
  type UploadInfo,
} from '@tuskit/core';
import { ActiveWrites } from '@tuskit/core/parts';
import { MAX_UPLOAD_SIZE } from './blocks.js';
import { backend } from './errors.js';
import { AzureUpload, type UploadSettings } from './azure-upload.js';
import {
  DEFAULT_BLOCK_CONCURRENCY,
  DEFAULT_BLOCK_SIZE,
  positiveInteger,
  resolveContainer,
  type AzureStoreOptions,
} from './options.js';
import { decodeRecord, encodeRecord, newRecord, uploadInfo } from './record.js';
import { UploadBlob } from './upload-blob.js';

/**
 * An Azure Blob Storage store. Each upload is one block blob: every PATCH
 * stages blocks and commits the block list as they arrive, so the offset is
 * the blob's committed length, what the service holds, never a counter.
 * Finalization commits the same blocks once more with the detected media
 * type. See the README for the design and Azure's limits.
 *
 * @example
 * ```ts
 * import { createTus } from '@tuskit/core';
 * import { AzureStore } from '@tuskit/store-azure';
 *
 * const store = new AzureStore({ container: 'uploads', connectionString: process.env.AZURE_STORAGE_CONNECTION_STRING });
 * const tus = createTus({ store, basePath: '/v1/uploads', publicUrl: 'https://api.example.com' });
 * ```
 */
export class AzureStore implements DataStore, ListableStore, ReadableStore, DownloadUrlStore, LengthDeferringStore {
  readonly deferredLength = true;
  /** The largest upload whose blocks fit one blob (see the README): about 95 TiB. */
  readonly maxSize = MAX_UPLOAD_SIZE;
  readonly container: ContainerClient;
  readonly #keyPrefix: string;
  readonly #settings: UploadSettings;

  constructor(options: AzureStoreOptions) {
    this.container = resolveContainer(options);
    this.#keyPrefix = options.keyPrefix ?? '';
    this.#settings = {
      blockSize: positiveInteger('blockSize', options.blockSize, DEFAULT_BLOCK_SIZE),
      blockConcurrency: positiveInteger('blockConcurrency', options.blockConcurrency, DEFAULT_BLOCK_CONCURRENCY),
      writes: new ActiveWrites(),
    };
  }

  /**
   * The name of an upload's blob in the container.
   *
   * @example
   * ```ts
   * store.blobName('a1'); // 'uploads/a1' with keyPrefix 'uploads/'
   * ```
   */
  blobName(id: string): string {
    return `${this.#keyPrefix}${id}`;
  }

  /** Creates the upload's blob, empty, with its record; `upload_exists` when the blob exists. */
  async create(upload: NewUpload): Promise<AzureUpload> {
    const blob = this.#blob(upload.id);
    const record = newRecord(upload);
    const etag = await blob.create({ metadata: encodeRecord(record) });
    return new AzureUpload(upload.id, blob, record, { etag, length: 0, lastModified: new Date() }, this.#settings);
  }

  /** The upload as the blob's properties describe it; `undefined` when there is no blob with a record. */
  async open(id: string): Promise<AzureUpload | undefined> {
    const blob = this.#blob(id);
    const state = await blob.state();
    const record = decodeRecord(state?.metadata);
    if (!state || !record) return undefined;
    return new AzureUpload(id, blob, record, state, this.#settings);
  }

  /** Every incomplete upload, for the reaper; finished uploads never expire and are not listed. */
  async *list(): AsyncIterable<UploadInfo> {
    const pages = this.container.listBlobsFlat({ prefix: this.#keyPrefix, includeMetadata: true }).byPage();
    for (;;) {
      const page = await backend(() => pages.next());
      if (page.done) return;
      for (const item of page.value.segment.blobItems) {
        const record = decodeRecord(item.metadata);
        if (!record || record.finalized) continue;
        const { contentLength = 0, lastModified } = item.properties;
        yield uploadInfo(item.name.slice(this.#keyPrefix.length), record, { length: contentLength, lastModified });
      }
    }
  }

  /** Streams the finished blob, whole or by inclusive range; `not_found` before finalization. */
  async read(id: string, range?: ByteRange): Promise<Readable> {
    const blob = await this.#finished(id);
    return blob.read(range);
  }

  /**
   * A read-only SAS URL of the finished blob. Signing needs the account key:
   * a client built from a connection string or with a
   * `StorageSharedKeyCredential`.
   *
   * @example
   * ```ts
   * const url = await store.downloadUrl(id, { expiresInSeconds: 900, contentType: 'video/mp4' });
   * ```
   */
  async downloadUrl(id: string, options: DownloadUrlOptions): Promise<string> {
    const blob = await this.#finished(id);
    if (!(blob.client.credential instanceof StorageSharedKeyCredential)) {
      throw new Error('AzureStore.downloadUrl needs a client with the account key (connection string or StorageSharedKeyCredential)');
    }
    return blob.client.generateSasUrl({
      permissions: BlobSASPermissions.parse('r'),
      expiresOn: new Date(Date.now() + options.expiresInSeconds * 1000),
      ...(options.contentType !== undefined && { contentType: options.contentType }),
      ...(options.contentDisposition !== undefined && { contentDisposition: options.contentDisposition }),
    });
  }

  #blob(id: string): UploadBlob {
    return new UploadBlob(this.container, this.blobName(id));
  }

  async #finished(id: string): Promise<UploadBlob> {
    const blob = this.#blob(id);
    const state = await blob.state();
    const record = decodeRecord(state?.metadata);
    if (!record?.finalized) throw new TusError('not_found');
    return blob;
  }
}
