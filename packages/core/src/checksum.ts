import { createHash } from 'node:crypto';
import { Crc32c } from '@aws-crypto/crc32c';
import { TusError } from './errors.js';

/** The checksum algorithms of the `checksum` extension, as `Tus-Checksum-Algorithm` lists them. */
export const CHECKSUM_ALGORITHMS = ['sha1', 'sha256', 'md5', 'crc32c'] as const;

/** One of {@link CHECKSUM_ALGORITHMS}. */
export type ChecksumAlgorithm = (typeof CHECKSUM_ALGORITHMS)[number];

/** A parsed `Upload-Checksum`: the algorithm and the digest the client computed. */
export interface ExpectedChecksum {
  algorithm: ChecksumAlgorithm;
  digest: Buffer;
}

/** A running digest over the chunks of one PATCH body. */
export interface Hasher {
  update(chunk: Uint8Array): void;
  digest(): Buffer;
}

/**
 * Parses an `Upload-Checksum` value, `<algorithm> <base64 digest>`: an
 * algorithm outside {@link CHECKSUM_ALGORITHMS} is 400
 * `checksum_algorithm_unsupported`, anything malformed 400 `invalid_checksum`.
 *
 * @example
 * ```ts
 * parseChecksum('sha1 Kq5sNclPz7QV2+lfQIuc6R7oRu0='); // { algorithm: 'sha1', digest: <Buffer 2a ae …> }
 * ```
 */
export function parseChecksum(value: string): ExpectedChecksum {
  const [algorithm = '', encoded, extra] = value.trim().split(/ +/);
  if (!isChecksumAlgorithm(algorithm.toLowerCase())) {
    throw new TusError('checksum_algorithm_unsupported', `Upload-Checksum algorithm "${algorithm}" is not one of ${CHECKSUM_ALGORITHMS.join(', ')}.`);
  }
  if (encoded === undefined || extra !== undefined || !/^[A-Za-z0-9+/]+={0,2}$/.test(encoded)) {
    throw new TusError('invalid_checksum');
  }
  return { algorithm: algorithm.toLowerCase() as ChecksumAlgorithm, digest: Buffer.from(encoded, 'base64') };
}

/**
 * A hasher for one algorithm; crc32c digests are its 4 bytes, big-endian
 * (as GCS and the tus clients encode them).
 *
 * @example
 * ```ts
 * const hasher = hasherFor('crc32c');
 * hasher.update(chunk);
 * hasher.digest().toString('base64');
 * ```
 */
export function hasherFor(algorithm: ChecksumAlgorithm): Hasher {
  if (algorithm !== 'crc32c') {
    const hash = createHash(algorithm);
    return { update: (chunk) => hash.update(chunk), digest: () => hash.digest() };
  }
  const crc = new Crc32c();
  return {
    update: (chunk) => crc.update(chunk),
    digest: () => {
      const bytes = Buffer.alloc(4);
      bytes.writeUInt32BE(crc.digest() >>> 0);
      return bytes;
    },
  };
}

function isChecksumAlgorithm(name: string): name is ChecksumAlgorithm {
  return (CHECKSUM_ALGORITHMS as readonly string[]).includes(name);
}
