import { blockId, lengthOf, type Block } from './blocks.js';
import type { CommitProperties, UploadBlob } from './upload-blob.js';

/** A block handed to {@link BlockCommitter.append}, until a commit settles it. */
interface PendingBlock {
  block: Block;
  staged: boolean;
  error?: unknown;
  settle: { resolve: () => void; reject: (error: unknown) => void };
}

/**
 * Appends blocks to a blob's committed list. Put Block List discards every
 * uncommitted block it does not name, so no block may be staging while a
 * commit runs: blocks stage side by side in batches, and once a batch has
 * all settled, one commit adds its staged blocks (up to the first that
 * failed) to the list. The committed list so only ever grows by contiguous
 * bytes, and every block is committed as soon as its batch is staged.
 *
 * @example
 * ```ts
 * const committer = new BlockCommitter(blob, blocks, etag, () => properties);
 * await Promise.all([committer.append(first), committer.append(second)]);
 * ```
 */
export class BlockCommitter {
  #blocks: Block[];
  #etag: string;
  #lastModified: Date | undefined;
  /** End of the bytes handed to `append`, committed or not yet. */
  #appended: number;
  #batch: PendingBlock[] = [];
  #staging = 0;
  #committing: Promise<void> = Promise.resolve();
  #failure: { error: unknown } | undefined;

  constructor(
    readonly blob: UploadBlob,
    blocks: readonly Block[],
    etag: string,
    readonly properties: () => CommitProperties,
  ) {
    this.#blocks = [...blocks];
    this.#etag = etag;
    this.#appended = lengthOf(blocks);
  }

  get blocks(): readonly Block[] {
    return this.#blocks;
  }

  get etag(): string {
    return this.#etag;
  }

  /** When the last commit of this committer landed, per the service. */
  get lastModified(): Date | undefined {
    return this.#lastModified;
  }

  /** Committed bytes. */
  get offset(): number {
    return lengthOf(this.#blocks);
  }

  /** Stages `bytes` as the next block; resolves once it and every block before it are committed. */
  append(bytes: Buffer): Promise<void> {
    const block = { name: blockId(this.#appended, this.#appended + bytes.length), size: bytes.length };
    this.#appended += bytes.length;
    return new Promise<void>((resolve, reject) => {
      void this.#stage(bytes, { block, staged: false, settle: { resolve, reject } });
    });
  }

  async #stage(bytes: Buffer, pending: PendingBlock): Promise<void> {
    await this.#committing;
    if (this.#failure) return pending.settle.reject(this.#failure.error);
    this.#batch.push(pending);
    this.#staging++;
    try {
      await this.blob.stage(pending.block.name, bytes);
      pending.staged = true;
    } catch (error) {
      pending.error = error;
    }
    if (--this.#staging === 0) this.#committing = this.#commitBatch();
  }

  async #commitBatch(): Promise<void> {
    const batch = this.#batch.splice(0);
    const failed = batch.findIndex((pending) => !pending.staged);
    const staged = failed === -1 ? batch : batch.slice(0, failed);
    if (failed !== -1) this.#failure ??= { error: batch[failed]!.error };
    if (staged.length > 0) {
      const blocks = [...this.#blocks, ...staged.map((pending) => pending.block)];
      try {
        const committed = await this.blob.commit(
          blocks.map((block) => block.name),
          this.#etag,
          this.properties(),
        );
        this.#blocks = blocks;
        this.#etag = committed.etag;
        this.#lastModified = committed.lastModified;
        for (const pending of staged) pending.settle.resolve();
      } catch (error) {
        this.#failure ??= { error };
        for (const pending of staged) pending.settle.reject(error);
      }
    }
    for (const pending of batch.slice(staged.length)) pending.settle.reject(this.#failure!.error);
  }
}
