import { Readable } from 'node:stream';
import type { BlockBlobClient, ContainerClient } from '@azure/storage-blob';
import { TusError, type ByteRange } from '@tuskit/core';
import { backend, statusOf } from './errors.js';
import type { Block } from './blocks.js';

const OCTET_STREAM = 'application/octet-stream';

/** What the store reads of a blob's properties. */
export interface BlobState {
  etag: string;
  /** Committed bytes: the sum of the committed blocks. */
  length: number;
  lastModified: Date;
  metadata: Record<string, string>;
  contentType: string;
}

/** What a commit answered. */
export interface Committed {
  etag: string;
  lastModified: Date;
}

/** What a commit writes besides the block list (Put Block List replaces both). */
export interface CommitProperties {
  metadata: Record<string, string>;
  contentType?: string | undefined;
}

/**
 * The store's vocabulary of operations on one upload's block blob, each
 * mapped to `store_unavailable` when the service is down. Every change is
 * conditional on the ETag the caller last saw, so two writers can never
 * both commit on top of the same state.
 *
 * @example
 * ```ts
 * const blob = new UploadBlob(container, 'uploads/a1');
 * const state = await blob.state();
 * ```
 */
export class UploadBlob {
  readonly client: BlockBlobClient;

  constructor(
    container: ContainerClient,
    readonly name: string,
  ) {
    this.client = container.getBlockBlobClient(name);
  }

  /** The blob's properties, or `undefined` when it does not exist (or holds only uncommitted blocks). */
  async state(): Promise<BlobState | undefined> {
    return backend(async () => {
      try {
        const properties = await this.client.getProperties();
        return {
          etag: properties.etag ?? '',
          length: properties.contentLength ?? 0,
          lastModified: properties.lastModified ?? new Date(),
          metadata: properties.metadata ?? {},
          contentType: properties.contentType ?? OCTET_STREAM,
        };
      } catch (error) {
        if (statusOf(error) === 404) return undefined;
        throw error;
      }
    });
  }

  /** Creates the blob empty, with `properties`; `upload_exists` when it exists. Resolves its ETag. */
  async create(properties: CommitProperties): Promise<string> {
    return backend(async () => {
      try {
        const created = await this.client.commitBlockList([], { ...commitOptions(properties), conditions: { ifNoneMatch: '*' } });
        return created.etag ?? '';
      } catch (error) {
        if (statusOf(error) === 409 || statusOf(error) === 412) throw new TusError('upload_exists', undefined, { cause: error });
        throw error;
      }
    });
  }

  /** The committed blocks, in order. */
  async committedBlocks(): Promise<Block[]> {
    const list = await backend(() => this.client.getBlockList('committed'));
    return (list.committedBlocks ?? []).map((block) => ({ name: block.name, size: block.size }));
  }

  /** Stages one block (uncommitted until a commit names it). */
  async stage(id: string, bytes: Buffer): Promise<void> {
    await backend(() => this.client.stageBlock(id, bytes, bytes.length));
  }

  /**
   * Commits `blocks` as the blob's content if it is still at `etag`;
   * resolves the new ETag and time. A blob changed by someone else meanwhile
   * is an `offset_mismatch`: what this caller built on is no longer what is stored.
   */
  async commit(blocks: readonly string[], etag: string, properties: CommitProperties): Promise<Committed> {
    return backend(async () => {
      try {
        const committed = await this.client.commitBlockList([...blocks], {
          ...commitOptions(properties),
          conditions: { ifMatch: etag },
        });
        return { etag: committed.etag ?? '', lastModified: committed.lastModified ?? new Date() };
      } catch (error) {
        if (statusOf(error) === 412 || statusOf(error) === 404) throw new TusError('offset_mismatch', undefined, { cause: error });
        throw error;
      }
    });
  }

  /** Replaces the metadata if the blob is still at `etag`; resolves the new ETag. */
  async setMetadata(metadata: Record<string, string>, etag: string): Promise<string> {
    return backend(async () => {
      try {
        return (await this.client.setMetadata(metadata, { conditions: { ifMatch: etag } })).etag ?? '';
      } catch (error) {
        if (statusOf(error) === 412 || statusOf(error) === 404) throw new TusError('offset_mismatch', undefined, { cause: error });
        throw error;
      }
    });
  }

  /** A stream of the committed bytes, whole or by inclusive range. */
  async read(range?: ByteRange): Promise<Readable> {
    const offset = range?.start ?? 0;
    const count = range ? range.end - range.start + 1 : undefined;
    const download = await backend(() => this.client.download(offset, count));
    const body = download.readableStreamBody;
    if (!body) throw new Error(`blob ${this.name} answered without a body`);
    return body instanceof Readable ? body : Readable.from(body);
  }

  /** Deletes the blob with its uncommitted blocks; a missing blob is fine. */
  async delete(): Promise<void> {
    await backend(() => this.client.deleteIfExists({ deleteSnapshots: 'include' }));
  }
}

function commitOptions(properties: CommitProperties) {
  return {
    metadata: properties.metadata,
    blobHTTPHeaders: { blobContentType: properties.contentType ?? OCTET_STREAM },
  };
}
