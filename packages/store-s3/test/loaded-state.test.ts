import type { S3Client } from '@aws-sdk/client-s3';
import { isTusError, type UploadHandle } from '@tuskit/core';
import { randomData, sha256, openUpload } from '@tuskit/core/testing';
import { s3ClientConfig } from '@tuskit/testkit';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { S3Store, createS3StoreClient } from '../src/index.js';
import { bodyOf, describeWithMinio } from './support/minio.js';

const MiB = 1024 * 1024;
/** What loading an upload sends once: its record, its tail listing and its parts. */
const ONE_LOAD = { 'GetObject info': 1, ListObjectsV2: 1, ListParts: 1 };

/** Commands by name (and whether they touch the record), e.g. `{ ListParts: 2, 'HeadObject info': 1 }`. */
type Tally = Record<string, number>;

/** `a - b`, leaving out what both sent as often. */
function difference(a: Tally, b: Tally): Tally {
  const result: Tally = {};
  for (const name of new Set([...Object.keys(a), ...Object.keys(b)])) {
    const delta = (a[name] ?? 0) - (b[name] ?? 0);
    if (delta !== 0) result[name] = delta;
  }
  return result;
}

await describeWithMinio('S3Store reusing what open loaded', (minio) => {
  let client: S3Client;
  let sent: string[] = [];

  beforeAll(() => {
    client = createS3StoreClient(s3ClientConfig(minio.target));
    client.middlewareStack.add(
      (next, context) => (args) => {
        const key = (args.input as { Key?: string }).Key;
        sent.push(`${context.commandName?.replace(/Command$/, '')}${key?.endsWith('.info') ? ' info' : ''}`);
        return next(args);
      },
      { step: 'initialize', name: 'countCommands' },
    );
  });
  afterAll(() => client.destroy());

  const store = () => new S3Store({ bucket: minio.bucket, client, partSize: 5 * MiB });

  /** The commands `work` sent. */
  async function counted(work: () => Promise<unknown>): Promise<Tally> {
    sent = [];
    await work();
    const tally: Tally = {};
    for (const name of sent) tally[name] = (tally[name] ?? 0) + 1;
    return tally;
  }

  /** An upload of `data` holding one part and a tail segment: a PATCH loads its record, tail and parts. */
  async function midUpload(s: S3Store, data: Uint8Array): Promise<string> {
    const id = `loaded-${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`;
    await s.create({ id, size: data.length, metadata: {}, createdAt: new Date() });
    await (await openUpload(s, id)).write(0, bodyOf(data.subarray(0, 6 * MiB)));
    return id;
  }

  /** Writes the next 1,000 bytes through `upload`, counting what it sends. */
  async function patch(upload: UploadHandle, data: Uint8Array): Promise<{ offset: number; sent: Tally }> {
    let offset = 0;
    const at = upload.info.offset;
    const sent = await counted(async () => {
      offset = await upload.write(at, bodyOf(data.subarray(at, at + 1000)));
    });
    return { offset, sent };
  }

  async function finish(s: S3Store, id: string, data: Uint8Array, offset: number): Promise<void> {
    expect(await (await openUpload(s, id)).write(offset, bodyOf(data.subarray(offset)))).toBe(data.length);
    await (await openUpload(s, id)).finalize();
    expect(await sha256(await s.read(id))).toBe(await sha256(data));
  }

  it('loads the upload when opened, and a handle\'s first write loads nothing more', async () => {
    const s = store();
    const data = randomData(12 * MiB);
    const id = await midUpload(s, data);
    let upload!: UploadHandle;
    expect(await counted(async () => (upload = await openUpload(s, id)))).toEqual(ONE_LOAD);
    const first = await patch(upload, data);
    const second = await patch(upload, data);
    expect([first.offset, second.offset]).toEqual([6 * MiB + 1000, 6 * MiB + 2000]);
    expect(upload.info.offset).toBe(second.offset);
    // The second write cannot start from what `open` loaded: the first changed it.
    expect(difference(second.sent, first.sent)).toEqual(ONE_LOAD);
    await finish(s, id, data, second.offset);
  });

  it('uses what open loaded at most once', async () => {
    const s = store();
    const data = randomData(12 * MiB);
    const id = await midUpload(s, data);
    const upload = await openUpload(s, id);
    const loaded = upload.info.offset;
    const { offset } = await patch(upload, data);
    // Starting from the loaded state again would take bytes at its stale offset.
    await expect(upload.write(loaded, bodyOf(randomData(10)))).rejects.toSatisfy((e) =>
      isTusError(e, 'offset_mismatch'),
    );
    expect((await s.open(id))?.info.offset).toBe(offset);
    await finish(s, id, data, offset);
  });
});
