import { randomUUID } from 'node:crypto';
import { open, unlink, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { type ChecksumAlgorithm, type Hasher, hasherFor } from './checksum.js';
import { releaseOf } from './chunk-release.js';
import type { UploadBody } from './store.js';

/** How much of a spool one read hands the store. */
const READ_BYTES = 1024 * 1024;

/**
 * A PATCH body held on local disk, apart from the store, until its checksum is
 * known to match. Nothing of it reaches the upload before that, so neither a
 * mismatch nor a crash in the middle of the check moves the offset. The file
 * is unlinked as soon as it is opened: a crash leaves nothing behind.
 *
 * @example
 * ```ts
 * const spool = await Spool.fill(body, tmpdir(), 'sha1');
 * try { if (spool.digest('sha1').equals(expected)) await handle.write(offset, spool.body()); }
 * finally { await spool.close(); }
 * ```
 */
export class Spool {
  length = 0;
  readonly #file: FileHandle;
  readonly #path: string;
  #unlinked = false;
  #digest: { algorithm: ChecksumAlgorithm; value: Buffer } | undefined;

  private constructor(file: FileHandle, path: string) {
    this.#file = file;
    this.#path = path;
  }

  /** Copies `body` to a new spool in `directory`, hashing it on the way when the algorithm is known. */
  static async fill(body: UploadBody, directory: string, algorithm?: ChecksumAlgorithm): Promise<Spool> {
    const path = join(directory, `tuskit-${randomUUID()}.spool`);
    const spool = new Spool(await open(path, 'w+', 0o600), path);
    // Unlinking an open file is refused on Windows: there it goes at close.
    spool.#unlinked = await unlink(path).then(() => true, () => false);
    try {
      const hasher = algorithm && hasherFor(algorithm);
      const release = releaseOf(body);
      for await (const chunk of body) {
        hasher?.update(chunk);
        await spool.#file.write(chunk, 0, chunk.byteLength, spool.length);
        spool.length += chunk.byteLength;
        release?.(chunk);
      }
      if (hasher && algorithm) spool.#digest = { algorithm, value: hasher.digest() };
      return spool;
    } catch (error) {
      await spool.close();
      throw error;
    }
  }

  /** The digest of the spooled bytes (hashed while spooling, or read back for a trailer's algorithm). */
  async digest(algorithm: ChecksumAlgorithm): Promise<Buffer> {
    if (this.#digest?.algorithm === algorithm) return this.#digest.value;
    const hasher: Hasher = hasherFor(algorithm);
    for await (const chunk of this.body()) hasher.update(chunk);
    return hasher.digest();
  }

  /** The spooled bytes, read back in order. */
  body(): UploadBody {
    const file = this.#file;
    const length = this.length;
    return {
      async *[Symbol.asyncIterator]() {
        for (let position = 0; position < length; ) {
          const buffer = Buffer.allocUnsafe(Math.min(READ_BYTES, length - position));
          const { bytesRead } = await file.read(buffer, 0, buffer.byteLength, position);
          if (bytesRead === 0) throw new Error('tuskit: a checksum spool ended early');
          position += bytesRead;
          yield buffer.subarray(0, bytesRead);
        }
      },
    };
  }

  async close(): Promise<void> {
    await this.#file.close().catch(() => {});
    if (!this.#unlinked) await unlink(this.#path).catch(() => {});
    this.#unlinked = true;
  }
}
