import type { S3Client } from '@aws-sdk/client-s3';
import { isTusError, type UploadInfo } from '@tuskit/core';
import { patchAsCore, randomData, sha256 } from '@tuskit/core/testing';
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

await describeWithMinio('S3Store reusing what get loaded', (minio) => {
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
    await s.write(id, 0, bodyOf(data.subarray(0, 6 * MiB)));
    return id;
  }

  /** One mid-upload PATCH as the core makes it: `get`, then `write` of `length` bytes, passing `loaded(upload)`. */
  async function patch(
    s: S3Store,
    id: string,
    data: Uint8Array,
    loaded: (upload: UploadInfo) => Promise<UploadInfo | undefined> | UploadInfo | undefined,
  ): Promise<{ offset: number; sent: Tally }> {
    let offset = 0;
    const sent = await counted(async () => {
      offset = await patchAsCore(s, id, (at) => data.subarray(at, at + 1000), loaded);
    });
    return { offset, sent };
  }

  async function finish(s: S3Store, id: string, data: Uint8Array, offset: number): Promise<void> {
    expect(await s.write(id, offset, bodyOf(data.subarray(offset)))).toBe(data.length);
    await s.finalize(id);
    expect(await sha256(await s.read(id))).toBe(await sha256(data));
  }

  it('loads the upload once per PATCH when the core passes what get returned', async () => {
    const s = store();
    const data = randomData(12 * MiB);
    const id = await midUpload(s, data);
    const reused = await patch(s, id, data, (upload) => upload);
    const reloaded = await patch(s, id, data, () => undefined);
    expect([reused.offset, reloaded.offset]).toEqual([6 * MiB + 1000, 6 * MiB + 2000]);
    expect(difference(reloaded.sent, reused.sent)).toEqual(ONE_LOAD);
    await finish(s, id, data, reloaded.offset);
  });

  it('loads again for an upload object this instance did not return', async () => {
    const s = store();
    const other = store();
    const data = randomData(12 * MiB);
    const id = await midUpload(s, data);
    const reloaded = await patch(s, id, data, () => undefined);
    const copied = await patch(s, id, data, (upload) => ({ ...upload }));
    // The other instance's `get` is counted too: one load more than a PATCH that loads twice.
    const foreign = await patch(s, id, data, () => other.get(id));
    expect([copied.offset, foreign.offset]).toEqual([6 * MiB + 2000, 6 * MiB + 3000]);
    expect(copied.sent).toEqual(reloaded.sent);
    expect(difference(foreign.sent, reloaded.sent)).toEqual(ONE_LOAD);
    await finish(s, id, data, foreign.offset);
  });

  it('reuses what get loaded at most once', async () => {
    const s = store();
    const data = randomData(12 * MiB);
    const id = await midUpload(s, data);
    const upload = (await s.get(id))!;
    const offset = await s.write(id, upload.offset, bodyOf(data.subarray(upload.offset, upload.offset + 1000)), upload);
    // Reusing the state behind `upload` again would take bytes at its stale offset.
    await expect(s.write(id, upload.offset, bodyOf(randomData(10)), upload)).rejects.toSatisfy((e) =>
      isTusError(e, 'offset_mismatch'),
    );
    expect((await s.get(id))?.offset).toBe(offset);
    await finish(s, id, data, offset);
  });
});
