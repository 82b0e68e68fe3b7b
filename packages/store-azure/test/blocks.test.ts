import { describe, expect, it } from 'vitest';
import { MAX_BLOCKS, MAX_SHORT_RUN, MAX_UPLOAD_SIZE, blockId, blockSizeFor, shortRunToMerge, type Block } from '../src/blocks.js';

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;
const blocks = (...sizes: number[]): Block[] => sizes.map((size, i) => ({ name: `b${i}`, size }));

describe('block ids', () => {
  it('name their byte range, are unique and all of one length', () => {
    const ids = [blockId(0, 10), blockId(0, 10), blockId(123_456_789, 987_654_321_000)];
    expect(new Set(ids).size).toBe(3);
    expect(new Set(ids.map((id) => id.length)).size).toBe(1);
    expect(Buffer.from(ids[0]!, 'base64').toString()).toMatch(/^0000000000000000-0000000000000010-[0-9a-f]{8}$/);
    // Azure's limit: at most 64 bytes before base64 encoding.
    expect(Buffer.from(ids[2]!, 'base64').length).toBeLessThanOrEqual(64);
  });
});

describe('blockSizeFor', () => {
  it('keeps the configured size up to where the worst case still fits 50,000 blocks', () => {
    expect(blockSizeFor(50 * GiB, 8 * MiB)).toBe(8 * MiB);
    // Worst case: every PATCH leaves one full and one short block.
    expect(2 * Math.ceil((50 * GiB) / (8 * MiB)) + MAX_SHORT_RUN).toBeLessThan(MAX_BLOCKS);
  });

  it('grows blocks, in whole MiB, for uploads that would not fit', () => {
    const size = 1024 * GiB;
    const blockSize = blockSizeFor(size, 8 * MiB);
    expect(blockSize % MiB).toBe(0);
    expect(2 * Math.ceil(size / blockSize) + MAX_SHORT_RUN).toBeLessThanOrEqual(MAX_BLOCKS);
    expect(blockSizeFor(MAX_UPLOAD_SIZE, 8 * MiB)).toBeLessThanOrEqual(4000 * MiB);
  });
});

describe('shortRunToMerge', () => {
  const full = 8;
  it('leaves runs of up to MAX_SHORT_RUN short blocks alone', () => {
    expect(shortRunToMerge(blocks(8, 8, ...Array(MAX_SHORT_RUN).fill(1)), full)).toBeUndefined();
  });

  it('finds the trailing run of short blocks once it grows past the limit', () => {
    const list = blocks(8, 3, 8, 9, ...Array(MAX_SHORT_RUN + 1).fill(2));
    expect(shortRunToMerge(list, full)).toEqual({ index: 4, start: 28 });
  });
});

describe('blockSizeFor with small configured blocks', () => {
  it('keeps a configured size below 1 MiB when the upload fits', () => {
    expect(blockSizeFor(6 * MiB, 64 * 1024)).toBe(64 * 1024);
  });
});
