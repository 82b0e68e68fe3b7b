import { DEFAULT_MAX_SIZE, TusError, type StoredObject, type UploadBody, type UploadChanges, type UploadHandle, type UploadInfo } from '@tuskit/core';
import { writeParts, type ActiveWrites } from '@tuskit/core/parts';
import { BlockCommitter } from './block-committer.js';
import { blockId, blockSizeFor, lengthOf, shortRunToMerge, type Block } from './blocks.js';
import { encodeRecord, uploadInfo, type UploadRecord } from './record.js';
import type { BlobState, CommitProperties, UploadBlob } from './upload-blob.js';

/**
 * Where a finalized upload lives; what `onComplete` receives as `object`.
 *
 * @example
 * ```ts
 * hooks: { onComplete: ({ object }) => console.log((object as AzureStoredObject).name) }
 * ```
 */
export interface AzureStoredObject extends StoredObject {
  /** The blob's URL (without any SAS). */
  location: string;
  container: string;
  /** The blob's name in the container. */
  name: string;
  contentType: string;
}

/** What every upload of one store shares. */
export interface UploadSettings {
  blockSize: number;
  blockConcurrency: number;
  /** This store instance's running writes, so that a removal can stop them first. */
  writes: ActiveWrites;
}

/**
 * One upload's block blob, as loaded by `open` or `create`. It keeps the
 * blob's ETag and, once it has read them, its committed blocks, so the
 * calls of one request read the blob's state once; every change is
 * conditional on that ETag.
 *
 * @example
 * ```ts
 * const upload = await store.open('a1');
 * if (upload) await upload.write(upload.info.offset, body);
 * ```
 */
export class AzureUpload implements UploadHandle {
  #record: UploadRecord;
  #etag: string;
  #info: UploadInfo;
  /** The committed blocks, once read. */
  #blocks: Block[] | undefined;

  readonly #id: string;
  readonly #blob: UploadBlob;
  readonly #settings: UploadSettings;

  /** @internal Made by {@link AzureStore}. */
  constructor(
    id: string,
    blob: UploadBlob,
    record: UploadRecord,
    state: Pick<BlobState, 'etag' | 'length' | 'lastModified'>,
    settings: UploadSettings,
  ) {
    this.#id = id;
    this.#blob = blob;
    this.#settings = settings;
    this.#record = record;
    this.#etag = state.etag;
    this.#info = uploadInfo(id, record, state);
    // Blocks hold at least one byte each: an empty blob has none to read.
    if (state.length === 0) this.#blocks = [];
  }

  get info(): UploadInfo {
    return this.#info;
  }

  /**
   * Streams the body into blocks, each committed as soon as it and the ones
   * before it are staged; everything read is committed, also when the body
   * fails. Then merges a long run of short blocks (see the README).
   */
  async write(offset: number, body: UploadBody): Promise<number> {
    return this.#settings.writes.run(this.#id, async (signal) => {
      if (this.#record.finalized) return expectOffset(offset, this.#info.offset);
      const blocks = (this.#blocks ??= await this.#blob.committedBlocks());
      // The list must add up to what `open` saw; otherwise the blob changed since.
      expectOffset(this.#info.offset, lengthOf(blocks));
      expectOffset(offset, this.#info.offset);
      // A length to come is sized as the largest default upload: see the README's "Deferred length".
      const blockSize = blockSizeFor(this.#record.size ?? DEFAULT_MAX_SIZE, this.#settings.blockSize);
      const committer = new BlockCommitter(this.#blob, blocks, this.#etag, () => this.#properties());
      try {
        await writeParts(body, {
          partSize: blockSize,
          partsInFlight: this.#settings.blockConcurrency,
          signal,
          flush: (block) => committer.append(block),
        });
      } finally {
        this.#took(committer.blocks, committer.etag, committer.lastModified);
      }
      // The bytes are stored: a merge that fails now is retried by the next write.
      await this.#mergeShortRun(blockSize).catch(() => {});
      return this.#info.offset;
    });
  }

  /** Rewrites the record (once per upload in practice: when the media is detected). */
  async update(changes: UploadChanges): Promise<void> {
    const record = { ...this.#record, ...changes };
    this.#etag = await this.#blob.setMetadata(encodeRecord(record), this.#etag);
    this.#record = record;
    this.#info = { ...this.#info, size: record.size, ...(record.media && { media: { ...record.media } }) };
  }

  /** Commits the same blocks once more, with the media type and the record marked finished. */
  async finalize(): Promise<AzureStoredObject> {
    if (!this.#record.finalized) {
      const blocks = (this.#blocks ??= await this.#blob.committedBlocks());
      const stored = lengthOf(blocks);
      if (stored !== this.#record.size) {
        throw new Error(`cannot finalize upload ${this.#id}: ${stored} of ${this.#record.size} bytes are stored`);
      }
      const lastWriteAt = (this.#info.lastWriteAt ?? new Date()).toISOString();
      const record: UploadRecord = { ...this.#record, finalized: { lastWriteAt } };
      const committed = await this.#blob.commit(
        blocks.map((block) => block.name),
        this.#etag,
        { metadata: encodeRecord(record), contentType: record.media?.mime },
      );
      this.#etag = committed.etag;
      this.#record = record;
      this.#info = uploadInfo(this.#id, record, { length: stored, lastModified: committed.lastModified });
    }
    return this.#stored();
  }

  /** Stops this store instance's writes to the upload, then deletes the blob with its uncommitted blocks. */
  async remove(): Promise<void> {
    await this.#settings.writes.cancel(this.#id);
    await this.#blob.delete();
  }

  #properties(): CommitProperties {
    return { metadata: encodeRecord(this.#record), contentType: this.#record.media?.mime };
  }

  #took(blocks: readonly Block[], etag: string, lastModified: Date | undefined): void {
    this.#blocks = [...blocks];
    this.#etag = etag;
    if (lastModified) this.#info = uploadInfo(this.#id, this.#record, { length: lengthOf(blocks), lastModified });
  }

  /**
   * Rewrites a trailing run of more than `MAX_SHORT_RUN` short blocks as
   * full blocks: their bytes are read back and staged again, then one commit
   * swaps the run for them. The bytes do not change, so neither does the offset.
   */
  async #mergeShortRun(blockSize: number): Promise<void> {
    const blocks = this.#blocks ?? [];
    const run = shortRunToMerge(blocks, blockSize);
    if (!run) return;
    const end = lengthOf(blocks);
    const merged: Block[] = [];
    let next = run.start;
    await writeParts(await this.#blob.read({ start: run.start, end: end - 1 }), {
      partSize: blockSize,
      partsInFlight: this.#settings.blockConcurrency,
      flush: (bytes) => {
        const block = { name: blockId(next, next + bytes.length), size: bytes.length };
        next += bytes.length;
        merged.push(block);
        return this.#blob.stage(block.name, bytes);
      },
    });
    if (next !== end) throw new Error(`merging blocks of ${this.#id} read ${next - run.start} of ${end - run.start} bytes`);
    const list = [...blocks.slice(0, run.index), ...merged];
    const committed = await this.#blob.commit(
      list.map((block) => block.name),
      this.#etag,
      this.#properties(),
    );
    this.#took(list, committed.etag, committed.lastModified);
  }

  #stored(): AzureStoredObject {
    const url = new URL(this.#blob.client.url);
    url.search = '';
    return {
      location: url.href,
      size: this.#info.offset,
      container: this.#blob.client.containerName,
      name: this.#blob.name,
      contentType: this.#record.media?.mime ?? 'application/octet-stream',
    };
  }
}

function expectOffset(offset: number, stored: number): number {
  if (offset !== stored) throw new TusError('offset_mismatch');
  return stored;
}
