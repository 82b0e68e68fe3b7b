import { bodyOf } from '@tuskit/core';
import { randomData } from '@tuskit/core/testing';
import { describe, expect, it } from 'vitest';
import { writeParts } from '@tuskit/core/parts';
import { BlockCommitter } from '../src/block-committer.js';
import type { CommitProperties, Committed, UploadBlob } from '../src/upload-blob.js';

/** A blob in memory that behaves as Put Block / Put Block List do: a commit drops every uncommitted block it does not name. */
class FakeBlob {
  readonly staged = new Map<string, Buffer>();
  committed: Array<{ name: string; bytes: Buffer }> = [];
  etag = '"0"';
  staging = 0;
  commits = 0;
  failStage?: (name: string) => boolean;

  async stage(name: string, bytes: Buffer): Promise<void> {
    this.staging++;
    await new Promise((resolve) => setTimeout(resolve, 1 + Math.random() * 5));
    this.staging--;
    if (this.failStage?.(name)) throw Object.assign(new Error('stage failed'), { statusCode: 503 });
    this.staged.set(name, Buffer.from(bytes));
  }

  async commit(names: readonly string[], etag: string, _properties: CommitProperties): Promise<Committed> {
    if (this.staging > 0) throw new Error('a commit ran while a block was staging: Put Block List would discard it');
    if (etag !== this.etag) throw new Error('stale etag');
    const known = new Map(this.committed.map((block) => [block.name, block.bytes]));
    this.committed = names.map((name) => {
      const bytes = this.staged.get(name) ?? known.get(name);
      if (!bytes) throw new Error(`InvalidBlockList: ${name}`);
      return { name, bytes };
    });
    this.staged.clear();
    this.commits++;
    this.etag = `"${this.commits}"`;
    return { etag: this.etag, lastModified: new Date() };
  }

  bytes(): Buffer {
    return Buffer.concat(this.committed.map((block) => block.bytes));
  }
}

const properties = () => ({ metadata: {} });

function committerOver(blob: FakeBlob): BlockCommitter {
  return new BlockCommitter(blob as unknown as UploadBlob, [], blob.etag, properties);
}

describe('BlockCommitter with writeParts', () => {
  it('commits every block in order, never while one is staging', async () => {
    const blob = new FakeBlob();
    const committer = committerOver(blob);
    const data = randomData(10 * 1000 + 7);
    const written = await writeParts(bodyOf([data.subarray(0, 4321), data.subarray(4321)]), {
      partSize: 1000,
      partsInFlight: 3,
      flush: (block) => committer.append(block),
    });
    expect(written).toBe(data.length);
    expect(committer.offset).toBe(data.length);
    expect(blob.bytes().equals(Buffer.from(data))).toBe(true);
    expect(blob.committed.map((block) => block.bytes.length)).toEqual([...Array(10).fill(1000), 7]);
    // Batches: fewer commits than blocks, as blocks staged side by side share one.
    expect(blob.commits).toBeLessThan(11);
  });

  it('keeps the blocks before a failed stage and none after it', async () => {
    const blob = new FakeBlob();
    // The block holding bytes [4000, 5000) fails; its id starts with its zero-padded start offset.
    blob.failStage = (name) => Buffer.from(name, 'base64').toString().startsWith('0000000000004000-');
    const committer = committerOver(blob);
    const data = randomData(10 * 1000);
    await expect(
      writeParts(bodyOf([data]), { partSize: 1000, partsInFlight: 2, flush: (block) => committer.append(block) }),
    ).rejects.toThrow('stage failed');
    // Whatever was committed is a prefix of the data, ending before the failed block.
    expect(committer.offset).toBeLessThanOrEqual(4000);
    expect(committer.offset % 1000).toBe(0);
    expect(blob.bytes().equals(Buffer.from(data.subarray(0, committer.offset)))).toBe(true);
  });

  it('commits what a failing body gave before rethrowing its error', async () => {
    const blob = new FakeBlob();
    const committer = committerOver(blob);
    const data = randomData(2500);
    async function* failing(): AsyncIterable<Uint8Array> {
      yield data;
      throw new Error('connection reset');
    }
    await expect(
      writeParts(failing(), { partSize: 1000, partsInFlight: 2, flush: (block) => committer.append(block) }),
    ).rejects.toThrow('connection reset');
    expect(committer.offset).toBe(2500);
    expect(blob.bytes().equals(Buffer.from(data))).toBe(true);
  });
});
