import { describe, expect, it } from 'vitest';
import { hasherFor, parseChecksum } from '../src/checksum.js';
import { isTusError } from '../src/errors.js';

describe('checksums', () => {
  it.each([
    ['sha1', 'f7c3bc1d808e04732adf679965ccc34ca7ae3441'],
    ['sha256', '15e2b0d3c33891ebb0f1ef609ec419420c20e320ce94c65fbc8c3312448eb225'],
    ['md5', '25f9e794323b453885f5181f1b624d0b'],
    ['crc32c', 'e3069283'],
  ] as const)('%s of "123456789" over two chunks is the standard check value', (algorithm, hex) => {
    const hasher = hasherFor(algorithm);
    hasher.update(Buffer.from('1234'));
    hasher.update(Buffer.from('56789'));
    expect(hasher.digest().toString('hex')).toBe(hex);
  });

  it('parses "<algorithm> <base64>", the algorithm in any case', () => {
    expect(parseChecksum('SHA1 Kq5sNclPz7QV2+lfQIuc6R7oRu0=')).toEqual({
      algorithm: 'sha1',
      digest: Buffer.from('Kq5sNclPz7QV2+lfQIuc6R7oRu0=', 'base64'),
    });
  });

  it.each([
    ['crc32 AAAA', 'checksum_algorithm_unsupported'],
    ['', 'checksum_algorithm_unsupported'],
    ['md5', 'invalid_checksum'],
    ['md5 ***', 'invalid_checksum'],
  ])('refuses %j with %s', (value, code) => {
    expect(() => parseChecksum(value)).toThrow();
    try {
      parseChecksum(value);
    } catch (error) {
      expect(isTusError(error, code as 'invalid_checksum')).toBe(true);
    }
  });
});
