import { createHash, randomFillSync } from 'node:crypto';

const WAV_HEADER_BYTES = 44;

/**
 * The bytes every server receives: one pseudo-random buffer, made once, that
 * starts with a WAV header so tuskit's first-chunk media check accepts it.
 * Every upload of a scenario sends a prefix of it, and the expected sha256 of
 * each prefix length is computed once.
 *
 * @example
 * ```ts
 * const payload = Payload.create(64 * MiB);
 * payload.slice(0, MiB); // what the first 1 MiB PATCH sends
 * payload.digest(8 * MiB); // sha256 (hex) of an 8 MiB upload
 * ```
 */
export class Payload {
  readonly bytes: Buffer;
  readonly #digests = new Map<number, string>();

  private constructor(bytes: Buffer) {
    this.bytes = bytes;
  }

  static create(size: number): Payload {
    const bytes = Buffer.allocUnsafe(size);
    randomFillSync(bytes);
    wavHeader(size).copy(bytes);
    return new Payload(bytes);
  }

  /** A view (no copy) of `[start, end)`. */
  slice(start: number, end: number): Buffer {
    if (end > this.bytes.byteLength) throw new Error(`the payload has ${this.bytes.byteLength} bytes, not ${end}`);
    return this.bytes.subarray(start, end);
  }

  /** sha256 (hex) of the first `length` bytes. */
  digest(length: number): string {
    let digest = this.#digests.get(length);
    if (digest === undefined) {
      digest = createHash('sha256').update(this.slice(0, length)).digest('hex');
      this.#digests.set(length, digest);
    }
    return digest;
  }
}

/**
 * A canonical 44-byte PCM WAV header: 48 kHz, 16-bit stereo. Not `wavHeader`
 * from `@tuskit/core/testing`: that entry imports vitest, which the load
 * generator must not load.
 */
function wavHeader(totalSize: number): Buffer {
  const header = Buffer.alloc(WAV_HEADER_BYTES);
  const clamp = (n: number) => Math.min(n, 0xffffffff);
  header.write('RIFF', 0, 'ascii');
  header.writeUInt32LE(clamp(totalSize - 8), 4);
  header.write('WAVEfmt ', 8, 'ascii');
  header.writeUInt32LE(16, 16);
  header.writeUInt16LE(1, 20);
  header.writeUInt16LE(2, 22);
  header.writeUInt32LE(48_000, 24);
  header.writeUInt32LE(48_000 * 4, 28);
  header.writeUInt16LE(4, 32);
  header.writeUInt16LE(16, 34);
  header.write('data', 36, 'ascii');
  header.writeUInt32LE(clamp(totalSize - WAV_HEADER_BYTES), 40);
  return header;
}
