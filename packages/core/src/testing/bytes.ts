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

/**
 * A valid WAV file of any size (a 16-bit mono PCM header plus random
 * samples): real audio for tests that need large media.
 *
 * @example
 * ```ts
 * const wav = wavFile(200 * 1024 * 1024);
 * ```
 */
export function wavFile(size: number): Buffer {
  if (size < 44) throw new Error('a WAV file needs at least 44 bytes');
  const file = randomBytes(size);
  const dataSize = size - 44;
  file.write('RIFF', 0, 'ascii');
  file.writeUInt32LE(size - 8, 4);
  file.write('WAVEfmt ', 8, 'ascii');
  file.writeUInt32LE(16, 16);
  file.writeUInt16LE(1, 20);
  file.writeUInt16LE(1, 22);
  file.writeUInt32LE(48_000, 24);
  file.writeUInt32LE(96_000, 28);
  file.writeUInt16LE(2, 32);
  file.writeUInt16LE(16, 34);
  file.write('data', 36, 'ascii');
  file.writeUInt32LE(dataSize, 40);
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
