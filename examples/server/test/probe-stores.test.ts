// The probe reads only what it needs on the object stores: a 1 GiB MP4 whose moov box is at the end is
// measured from its head and its tail on S3 (MinIO), and a 64 MiB one on GCS (fake-gcs-server takes minutes to
// store a GiB). The object is a real FFmpeg-made MP4 whose media data box is grown by
// zeros (see big-media.ts), uploaded through the store like any upload.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline, Transform, type Readable } from 'node:stream';
import { isReadableStore, type ByteRange, type DataStore, type ReadableStore } from '@tuskit/core';
import { describeWithDocker } from '@tuskit/testkit';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { probeMedia } from '../src/index.js';
import { mp4WithZeroedMdat } from './support/big-media.js';
import { expectCloseDuration, probeFixtureBytes } from './support/probe-fixtures.js';
import { docker, stopBackends, storeUnderTest } from './support/stores.js';

const GiB = 1024 ** 3;
const MiB = 1024 ** 2;

let dataDir: string;
beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'tuskit-probe-stores-'));
});
afterAll(async () => {
  await stopBackends();
  await rm(dataDir, { recursive: true, force: true });
});

/** The store's reads, counted: how many, and how many bytes the probe pulled from them. */
function countingReads(store: ReadableStore): ReadableStore & { reads: number; bytes: number } {
  const counted = {
    reads: 0,
    bytes: 0,
    async read(id: string, range?: ByteRange): Promise<Readable> {
      counted.reads++;
      const counter = new Transform({
        transform: (chunk: Buffer, _encoding, done) => {
          counted.bytes += chunk.length;
          done(null, chunk);
        },
      });
      return pipeline(await store.read(id, range), counter, () => {});
    },
  };
  return counted;
}

async function storedBigMp4(store: DataStore, id: string, extraBytes: number): Promise<number> {
  const { stream, size } = mp4WithZeroedMdat(probeFixtureBytes('av-moov-last.mp4'), extraBytes);
  const upload = await store.create({ id, size, metadata: {}, createdAt: new Date() });
  expect(await upload.write(0, stream)).toBe(size);
  await upload.finalize();
  return size;
}

describeWithDocker(docker, 'probing a large moov-at-end MP4 on an object store', () => {
  it.each([
    ['s3', '1 GiB', GiB],
    ['gcs', '64 MiB', 64 * MiB],
  ] as const)('on %s, %s of media data: reads its head and tail, at most 2 MiB', async (kind, _, extraBytes) => {
    const { store } = await storeUnderTest(kind, dataDir);
    const id = `big-${kind}`;
    const size = await storedBigMp4(store, id, extraBytes);
    if (!isReadableStore(store)) throw new Error(`the ${kind} store cannot be read`);
    const reads = countingReads(store);
    const outcome = await probeMedia(reads, id, { size, contentType: 'video/mp4' });
    expect(outcome.ok).toBe(true);
    expectCloseDuration(outcome.ok ? outcome.details.duration : undefined, 2.6);
    expect(reads.bytes).toBeLessThanOrEqual(2 * MiB);
    expect(reads.reads).toBeLessThanOrEqual(4);
    await (await store.open(id))?.remove();
  });
});
