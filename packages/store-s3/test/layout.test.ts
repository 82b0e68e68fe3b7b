import { TusError } from '@tuskit/core';
import { describe, expect, it } from 'vitest';
import { idOfInfoKey, UploadKeys } from '../src/keys.js';
import { contiguousParts } from '../src/multipart.js';
import { MAX_PARTS, MIN_PART_SIZE, mayCutShortPart, partSizeFor } from '../src/part-size.js';
import { tailChain, type TailSegment } from '../src/tail.js';

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;

describe('part size', () => {
  it('keeps the preferred size while the upload fits in 10,000 parts', () => {
    expect(partSizeFor(50 * GiB, 8 * MiB)).toBe(8 * MiB);
    expect(partSizeFor(100, 5 * MiB)).toBe(5 * MiB);
  });

  it.each([100 * GiB, 1024 * GiB, 5 * 1024 * GiB])('grows for %d bytes so that they fit in 10,000 parts', (size) => {
    const partSize = partSizeFor(size, 8 * MiB);
    expect(Math.ceil(size / partSize)).toBeLessThanOrEqual(MAX_PARTS);
    expect(partSize % MiB).toBe(0);
    expect(Math.ceil(size / (partSize - MiB))).toBeGreaterThan(MAX_PARTS);
  });

  it('never goes below 5 MiB', () => {
    expect(partSizeFor(10 * MiB, MiB)).toBe(MIN_PART_SIZE);
  });

  it('cuts a short part only at 5 MiB or more and only while the rest fits in the parts left', () => {
    const partSize = 8 * MiB;
    expect(mayCutShortPart({ partNumber: 1, length: 5 * MiB - 1, remaining: 0, partSize })).toBe(false);
    expect(mayCutShortPart({ partNumber: 1, length: 5 * MiB, remaining: 80 * GiB, partSize: 9 * MiB })).toBe(true);
    expect(mayCutShortPart({ partNumber: 9998, length: 6 * MiB, remaining: 2 * partSize, partSize })).toBe(true);
    expect(mayCutShortPart({ partNumber: 9999, length: 6 * MiB, remaining: 2 * partSize, partSize })).toBe(false);
  });
});

describe('keys', () => {
  it('lays out an upload under the prefix', () => {
    const keys = new UploadKeys('tus/', 'a-1');
    expect([keys.object, keys.info, keys.tail(12, 345)]).toEqual([
      'tus/a-1',
      'tus/a-1.info',
      'tus/a-1.tail/00012-0000000345',
    ]);
    expect(keys.parseTail('tus/a-1.tail/00012-0000000345')).toEqual({ partNumber: 12, start: 345 });
    expect(keys.parseTail('tus/a-1.info')).toBeUndefined();
    expect(idOfInfoKey('tus/', 'tus/a-1.info')).toBe('a-1');
    expect(idOfInfoKey('tus/', 'tus/a-1')).toBeUndefined();
  });

  it.each(['../x', 'a/b', 'a.b', ''])('refuses the id %j', (id) => {
    expect(() => new UploadKeys('', id)).toThrow(TusError);
  });
});

describe('offset bookkeeping', () => {
  const segment = (partNumber: number, start: number, size: number): TailSegment => ({
    key: `${partNumber}-${start}`,
    partNumber,
    start,
    size,
    lastModified: undefined,
  });

  it('counts parts only up to the first gap', () => {
    const parts = [1, 2, 4].map((number) => ({ number }));
    expect(contiguousParts(parts)).toEqual([{ number: 1 }, { number: 2 }]);
  });

  it('counts the tail segments of the next part that follow each other from byte 0', () => {
    const segments = [segment(3, 0, 10), segment(3, 10, 5), segment(3, 40, 5), segment(2, 0, 99), segment(4, 0, 7)];
    expect(tailChain(segments, 3).map((s) => s.key)).toEqual(['3-0', '3-10']);
    expect(tailChain(segments, 5)).toEqual([]);
  });

  it('follows a compacted segment over the segments it replaced', () => {
    const segments = [segment(1, 0, 30), segment(1, 10, 5), segment(1, 15, 15), segment(1, 30, 4)];
    expect(tailChain(segments, 1).map((s) => s.key)).toEqual(['1-0', '1-30']);
  });
});
