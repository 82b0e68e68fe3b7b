import { createWriteStream } from 'node:fs';
import { open, writeFile } from 'node:fs/promises';
import type { IncomingMessage } from 'node:http';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { MessagePort } from 'node:worker_threads';
import type { RawSink } from './mini-tus.js';

/** Options of {@link fsSink}. */
export interface FsSinkOptions {
  /** fsync the file once its last byte is written. */
  fsyncOnComplete: boolean;
  /**
   * Write each chunk on its own, then free its memory, rather than pipe: the
   * least memory a Node server needs to move the bytes (the `raw-lean` row).
   */
  freeChunks?: boolean;
}

/**
 * The filesystem raw limit: each PATCH body piped into the upload's file at
 * its offset, nothing else (no metadata). With `fsyncOnComplete` the file is
 * fsynced once its last byte is written, as tuskit's store-fs does when it
 * finalizes: the difference between the two raw rows is what that
 * durability costs. With `freeChunks` it shows the memory floor instead.
 *
 * @example
 * ```ts
 * await serve(miniTus('/files', fsSink('/tmp/uploads', { fsyncOnComplete: false })));
 * ```
 */
export function fsSink(directory: string, options: FsSinkOptions): RawSink {
  const sizes = new Map<string, number>();
  return {
    async create(id, size) {
      await writeFile(join(directory, id), '');
      sizes.set(id, size);
    },
    async append(id, offset, body) {
      const path = join(directory, id);
      const newOffset = options.freeChunks ? await writeEachChunk(path, offset, body) : await pipeInto(path, offset, body);
      if (newOffset >= (sizes.get(id) ?? Infinity)) {
        sizes.delete(id);
        if (options.fsyncOnComplete) await fsync(path);
      }
      return newOffset;
    },
  };
}

async function pipeInto(path: string, offset: number, body: IncomingMessage): Promise<number> {
  const file = createWriteStream(path, { flags: 'r+', start: offset });
  await pipeline(body, file);
  return offset + file.bytesWritten;
}

/** One write in flight and nothing gathered: each chunk is freed as soon as it is on disk. */
async function writeEachChunk(path: string, offset: number, body: IncomingMessage): Promise<number> {
  const handle = await open(path, 'r+');
  let position = offset;
  try {
    for await (const chunk of body as AsyncIterable<Buffer>) {
      for (let done = 0; done < chunk.byteLength; ) {
        const { bytesWritten } = await handle.write(chunk, done, chunk.byteLength - done, position + done);
        done += bytesWritten;
      }
      position += chunk.byteLength;
      release(chunk);
    }
  } finally {
    await handle.close();
  }
  return position;
}

let graveyard: MessagePort | undefined;

/** Detaches a chunk's ArrayBuffer (sent to a closed port), which frees its memory now rather than at a GC. */
function release(chunk: Buffer): void {
  const buffer = chunk.buffer;
  if (!(buffer instanceof ArrayBuffer) || chunk.byteOffset !== 0 || chunk.byteLength !== buffer.byteLength) return;
  if (!graveyard) {
    graveyard = new MessageChannel().port1;
    graveyard.close();
  }
  graveyard.postMessage(null, [buffer]);
}

async function fsync(path: string): Promise<void> {
  const handle = await open(path, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
