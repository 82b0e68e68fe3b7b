import type { S3Client } from '@aws-sdk/client-s3';
import { bodyOf, type UploadHandle } from '@tuskit/core';
import { randomData, sha256 } from '@tuskit/core/testing';
import { s3ClientConfig } from '@tuskit/testkit';
import { describe, expect, it } from 'vitest';
import { planParts } from '../src/concat.js';
import { S3Store, createS3StoreClient } from '../src/index.js';
import { describeWithMinio } from './support/minio.js';

const MiB = 1024 * 1024;

describe('the part plan of a concatenation', () => {
  it('copies every source of 5 MiB or more as parts of its own', () => {
    expect(planParts([6 * MiB, 5 * MiB, 100])).toEqual([
      [{ source: 0, start: 0, end: 6 * MiB }],
      [{ source: 1, start: 0, end: 5 * MiB }],
      [{ source: 2, start: 0, end: 100 }],
    ]);
  });

  it('gathers small sources with the head of the next one, and copies the rest of it', () => {
    expect(planParts([1000, 0, 12 * MiB, 3])).toEqual([
      [{ source: 0, start: 0, end: 1000 }, { source: 2, start: 0, end: 5 * MiB - 1000 }],
      [{ source: 2, start: 5 * MiB - 1000, end: 12 * MiB }],
      [{ source: 3, start: 0, end: 3 }],
    ]);
  });

  it('keeps every part but the last at 5 MiB or more, and splits sources past the largest part', () => {
    const sizes = [MiB, 2 * MiB, 5 * MiB + 10, MiB, 4 * MiB, 23 * MiB];
    const parts = planParts(sizes, 5 * MiB, 10 * MiB);
    const lengths = parts.map((part) => part.reduce((sum, p) => sum + p.end - p.start, 0));
    expect(lengths.slice(0, -1).every((length) => length >= 5 * MiB && length <= 10 * MiB)).toBe(true);
    expect(lengths.reduce((a, b) => a + b, 0)).toBe(sizes.reduce((a, b) => a + b, 0));
    // In order and without a gap.
    const flat = parts.flat();
    for (const [i, piece] of flat.entries()) {
      const previous = flat[i - 1];
      if (previous) expect(previous.source < piece.source || (previous.source === piece.source && previous.end === piece.start)).toBe(true);
    }
  });
});

await describeWithMinio('S3Store concatenation against MinIO', (minio) => {
  /** A store whose client records the name of every command it sends about objects other than records. */
  function countingStore(): { store: S3Store; commands: string[]; client: S3Client } {
    const commands: string[] = [];
    const client = createS3StoreClient(s3ClientConfig(minio.target));
    client.middlewareStack.add(
      (next, context) => (args) => {
        // The record (`<id>.info`) is JSON read by GetObject: only reads of bytes count.
        const key = (args.input as { Key?: string }).Key ?? '';
        if (!key.endsWith('.info')) commands.push(context.commandName ?? '');
        return next(args);
      },
      { step: 'initialize', name: 'countCommands' },
    );
    return { store: minio.store({ client, keyPrefix: 'concat/' }), commands, client };
  }

  async function partial(store: S3Store, data: Buffer): Promise<UploadHandle> {
    const id = `part-${Math.random().toString(36).slice(2, 10)}`;
    const upload = await store.create({ id, size: data.length, metadata: {}, createdAt: new Date(), concat: { type: 'partial' } });
    await upload.write(0, bodyOf([data]));
    await upload.finalize();
    return (await store.open(id)) as UploadHandle;
  }

  it('copies large partial uploads inside S3: no byte is read or sent by the process', { timeout: 60_000 }, async () => {
    const { store, commands, client } = countingStore();
    try {
      const datas = [randomData(6 * MiB + 1), randomData(5 * MiB), randomData(700)];
      const parts = [];
      for (const data of datas) parts.push(await partial(store, data));
      commands.length = 0;
      const size = datas.reduce((sum, d) => sum + d.length, 0);
      const concat = { type: 'final', parts: parts.map((p) => p.info.id) } as const;
      const final = await store.concatenate({ id: 'final-copied', size, metadata: {}, createdAt: new Date(), concat }, parts);
      expect(final.info).toMatchObject({ offset: size, concat });
      expect(commands.filter((c) => c === 'UploadPartCopyCommand')).toHaveLength(3);
      expect(commands.filter((c) => c === 'UploadPartCommand' || c === 'GetObjectCommand')).toEqual([]);
      await final.finalize();
      expect(await sha256(await store.read('final-copied'))).toBe(await sha256(Buffer.concat(datas)));
    } finally {
      client.destroy();
    }
  });

  it('sends small partial uploads through the process, in parts S3 accepts, byte-exact', { timeout: 60_000 }, async () => {
    const { store, commands, client } = countingStore();
    try {
      const datas = [randomData(3 * MiB), randomData(10), randomData(7 * MiB), randomData(2 * MiB)];
      const parts = [];
      for (const data of datas) parts.push(await partial(store, data));
      commands.length = 0;
      const size = datas.reduce((sum, d) => sum + d.length, 0);
      const concat = { type: 'final', parts: parts.map((p) => p.info.id) } as const;
      const final = await store.concatenate({ id: 'final-streamed', size, metadata: {}, createdAt: new Date(), concat }, parts);
      expect(final.info.offset).toBe(size);
      // 3 MiB + 10 B + the first 2 MiB - 10 B of the 7 MiB upload are sent; the rest of it, and the last upload, copied.
      expect(commands.filter((c) => c === 'UploadPartCommand')).toHaveLength(1);
      expect(commands.filter((c) => c === 'UploadPartCopyCommand')).toHaveLength(2);
      await final.finalize();
      expect(await sha256(await store.read('final-streamed'))).toBe(await sha256(Buffer.concat(datas)));
      expect(await minio.leftovers('final-streamed', minio.bucket, 'concat/')).toEqual(['concat/final-streamed', 'concat/final-streamed.info']);
    } finally {
      client.destroy();
    }
  });
});
