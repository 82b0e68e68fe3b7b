import { createHash } from 'node:crypto';
import { WAV_HEADER_BYTES, wavHeader } from '@tuskit/core/testing';

/**
 * The bytes of an upload, derived from its id only: a valid WAV header (so
 * the first chunk is accepted as audio) followed by pseudo-random samples.
 * Any slice can be produced on its own, so a 50 GiB upload costs nothing
 * until bytes are sent, and any stored byte can be checked.
 */
export class UploadContent {
  readonly #seed: number;
  readonly #header: Buffer;

  constructor(
    readonly id: string,
    readonly size: number,
  ) {
    this.#seed = createHash('sha256').update(id).digest().readUInt32LE(0);
    this.#header = wavHeader(size);
  }

  /** Bytes [start, end), clipped to the upload's size. */
  slice(start: number, end: number): Buffer {
    const stop = Math.min(end, this.size);
    const bytes = Buffer.alloc(Math.max(0, stop - start));
    for (let i = start; i < stop; i++) bytes[i - start] = i < WAV_HEADER_BYTES ? (this.#header[i] ?? 0) : byteAt(this.#seed, i);
    return bytes;
  }
}

/** The whole content of a (small) upload. */
export function contentOf(id: string, size: number): Buffer {
  return new UploadContent(id, size).slice(0, size);
}

/** A counter-based mix (splitmix32-like): byte `i` without generating the ones before it. */
function byteAt(seed: number, i: number): number {
  let x = (seed + Math.imul(Math.floor(i / 4), 0x9e3779b9)) | 0;
  x = Math.imul(x ^ (x >>> 16), 0x85ebca6b);
  x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35);
  x ^= x >>> 16;
  return (x >>> ((i % 4) * 8)) & 0xff;
}

/**
 * What a client without the right key sends: the same WAV header (so a bypass
 * would be accepted as media) but different samples, so that any such byte
 * found in the store proves the bypass.
 */
export function forged(slice: Uint8Array, offset: number): Buffer {
  const bytes = Buffer.from(slice);
  for (let i = Math.max(0, WAV_HEADER_BYTES - offset); i < bytes.length; i++) bytes[i] = (bytes[i] ?? 0) ^ 0x5a;
  return bytes;
}

/** First chunks that are not audio or video: the core must refuse them and remove the upload. */
export const NOT_MEDIA: readonly Buffer[] = [
  Buffer.concat([Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex'), Buffer.alloc(200, 7)]),
  Buffer.from(`${'{"hello":"world"}\n'.repeat(20)}`),
  Buffer.alloc(300, 0),
  Buffer.concat([Buffer.from('%PDF-1.7\n'), Buffer.alloc(200, 0x41)]),
];

/** Bytes sent past Upload-Length; never to be found in the store. */
export function overflowBytes(length: number): Buffer {
  return Buffer.alloc(length, 0xee);
}

