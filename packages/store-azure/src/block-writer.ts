import type { UploadBody } from '@tuskit/core';
import { blockId, lengthOf, type Block } from './blocks.js';
import type { CommitProperties, UploadBlob } from './upload-blob.js';

/** Options of {@link writeBlocks}. */
export interface WriteBlocksOptions {
  blockSize: number;
  /** Blocks uploading at once while the next one fills. */
  blocksInFlight: number;
  /** Stops reading the body (without waiting for a stalled read); what was read is still flushed. */
  signal?: AbortSignal | undefined;
  /** Stores one block; called in order, up to `blocksInFlight` at once. */
  flush(block: Buffer): Promise<void>;
}

/**
 * Cuts a body into blocks of `blockSize` (the last one shorter) and flushes
 * them, at most `blocksInFlight` at a time; frees each chunk of the body
 * once it is copied. Every byte read is flushed, also when the body fails,
 * in which case the body's error is rethrown after the flush. Resolves the
 * bytes flushed.
 *
 * @example
 * ```ts
 * await writeBlocks(body, { blockSize: 8 << 20, blocksInFlight: 2, flush: (block) => committer.append(block) });
 * ```
 */
export async function writeBlocks(body: UploadBody, options: WriteBlocksOptions): Promise<number> {
  const buffers = new BlockBuffers(options.blockSize);
  const inFlight: Promise<void>[] = [];
  let flushed = 0;
  let flushFailure: { error: unknown } | undefined;
  const send = (block: Buffer) => {
    const done = options.flush(block).then(
      () => {
        flushed += block.length;
        buffers.release(block);
      },
      (error: unknown) => {
        buffers.release(block);
        flushFailure ??= { error };
      },
    );
    inFlight.push(done);
  };
  let bodyFailure: { error: unknown } | undefined;
  const release = releaseOf(body);
  try {
    for await (const chunk of untilAborted(body, options.signal)) {
      for (let rest = chunk; rest.byteLength > 0; ) {
        rest = buffers.fill(rest);
        if (!buffers.full) continue;
        while (inFlight.length >= options.blocksInFlight) await inFlight.shift();
        if (flushFailure) throw flushFailure.error;
        send(buffers.take());
      }
      release?.(chunk);
    }
  } catch (error) {
    bodyFailure = { error };
  }
  await Promise.all(inFlight);
  if (!flushFailure && buffers.filled > 0) {
    send(buffers.take());
    await inFlight.at(-1);
  }
  // A failed flush is the cause when there is one: the loop stopped reading because of it.
  const failure = flushFailure ?? bodyFailure;
  if (failure) throw failure.error;
  return flushed;
}

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

/**
 * Yields the body's chunks until it ends or `signal` aborts, without waiting
 * for a stalled body. Each read gets its own promise: racing every read
 * against one long-lived "aborted" promise would keep every chunk reachable
 * until the body ends.
 */
async function* untilAborted(body: AsyncIterable<Uint8Array>, signal: AbortSignal | undefined): AsyncIterable<Uint8Array> {
  if (!signal) return yield* body;
  const iterator = body[Symbol.asyncIterator]();
  let wake: (() => void) | undefined;
  const onAbort = () => wake?.();
  signal.addEventListener('abort', onAbort, { once: true });
  try {
    while (!signal.aborted) {
      const result = await new Promise<IteratorResult<Uint8Array> | undefined>((resolve, reject) => {
        wake = () => resolve(undefined);
        // A body abandoned on abort may still fail later: this promise is settled by then, so that is ignored.
        iterator.next().then(resolve, reject);
      });
      wake = undefined;
      if (!result || result.done) return;
      yield result.value;
    }
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
}

/** Block-sized buffers, allocated on first use: one filling, the others free or uploading. */
class BlockBuffers {
  readonly #free: Buffer[] = [];
  #current: Buffer | undefined;
  filled = 0;

  constructor(readonly blockSize: number) {}

  get full(): boolean {
    return this.filled === this.blockSize;
  }

  /** Copies as much of `chunk` as fits; returns the rest. */
  fill(chunk: Uint8Array): Uint8Array {
    const room = this.blockSize - this.filled;
    const taken = chunk.byteLength <= room ? chunk : chunk.subarray(0, room);
    this.#current ??= this.#free.pop() ?? Buffer.allocUnsafe(this.blockSize);
    this.#current.set(taken, this.filled);
    this.filled += taken.byteLength;
    return chunk.subarray(taken.byteLength);
  }

  /** The filled bytes, to upload; filling continues in another buffer. */
  take(): Buffer {
    const block = this.#current!.subarray(0, this.filled);
    this.#current = undefined;
    this.filled = 0;
    return block;
  }

  /** Takes back a block's buffer once its upload settled. */
  release(block: Buffer): void {
    this.#free.push(Buffer.from(block.buffer, block.byteOffset, this.blockSize));
  }
}

/**
 * The core offers this repository's stores a chunk release on bodies only it
 * holds; not part of the published API (why: docs/design.md, "Chunk freeing").
 */
const RELEASE_CHUNK = Symbol.for('tuskit.releaseChunk');

function releaseOf(body: UploadBody): ((chunk: Uint8Array) => void) | undefined {
  return (body as { [RELEASE_CHUNK]?: (chunk: Uint8Array) => void })[RELEASE_CHUNK];
}
