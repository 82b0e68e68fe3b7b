import { createHash, randomBytes } from 'node:crypto';

/**
 * sha256 of bytes or of a stream of bytes, as hex.
 *
 * @example
 * ```ts
 * expect(await sha256(await store.read(id))).toBe(sha256Of(data));
 * ```
 */
export async function sha256(source: AsyncIterable<Uint8Array> | Uint8Array): Promise<string> {
  const hash = createHash('sha256');
  if (source instanceof Uint8Array) return hash.update(source).digest('hex');
  for await (const chunk of source) hash.update(chunk);
  return hash.digest('hex');
}

/**
 * Pseudo-random bytes for tests.
 *
 * @example
 * ```ts
 * const data = randomData(5 * 1024 * 1024);
 * ```
 */
export function randomData(size: number): Buffer {
  return randomBytes(size);
}

/** Bytes in a canonical WAV header. */
export const WAV_HEADER_BYTES = 44;

/**
 * The 44-byte header of a 16-bit mono 48 kHz PCM WAV file of `size` bytes in
 * all (sizes past 4 GiB are clamped, as WAV cannot say more).
 *
 * @example
 * ```ts
 * const file = Buffer.concat([wavHeader(size), samples]);
 * ```
 */
export function wavHeader(size: number): Buffer {
  const header = Buffer.alloc(WAV_HEADER_BYTES);
  header.write('RIFF', 0, 'ascii');
  header.writeUInt32LE(Math.min(size - 8, 0xffffffff), 4);
  header.write('WAVEfmt ', 8, 'ascii');
  header.writeUInt32LE(16, 16);
  header.writeUInt16LE(1, 20);
  header.writeUInt16LE(1, 22);
  header.writeUInt32LE(48_000, 24);
  header.writeUInt32LE(96_000, 28);
  header.writeUInt16LE(2, 32);
  header.writeUInt16LE(16, 34);
  header.write('data', 36, 'ascii');
  header.writeUInt32LE(Math.min(Math.max(0, size - WAV_HEADER_BYTES), 0xffffffff), 40);
  return header;
}

/**
 * A valid WAV file of any size (a {@link wavHeader} plus random samples):
 * real audio for tests that need large media.
 *
 * @example
 * ```ts
 * const wav = wavFile(200 * 1024 * 1024);
 * ```
 */
export function wavFile(size: number): Buffer {
  if (size < WAV_HEADER_BYTES) throw new Error('a WAV file needs at least 44 bytes');
  const file = randomBytes(size);
  wavHeader(size).copy(file, 0);
  return file;
}

/**
 * Splits bytes into chunks of the given sizes, cycling through `sizes`.
 *
 * @example
 * ```ts
 * chunked(data, [1000, 17]); // 1000, 17, 1000, 17, …
 * ```
 */
export function* chunked(data: Uint8Array, sizes: readonly number[]): Generator<Uint8Array> {
  let at = 0;
  for (let i = 0; at < data.byteLength; i++) {
    const size = sizes[i % sizes.length] ?? data.byteLength;
    yield data.subarray(at, at + size);
    at += size;
  }
}
