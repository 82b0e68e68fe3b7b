// STORE=s3 and STORE=gcs beyond the client matrix: variables left to their defaults or given in other
// forms, and downloads when the GCS credentials cannot sign.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { ListMultipartUploadsCommand, ListPartsCommand } from '@aws-sdk/client-s3';
import type { DataStore, ReadableStore, UploadHandle } from '@tuskit/core';
import { GcsStore } from '@tuskit/store-gcs';
import type { S3Store } from '@tuskit/store-s3';
import { describeWithDocker } from '@tuskit/testkit';
import { afterAll, afterEach, beforeAll, expect, it, vi } from 'vitest';
import { expectReadyAsset, sha256 } from './support/assertions.js';
import { fixtureCases } from './support/media.js';
import { startTestServer } from './support/server.js';
import { docker, stopBackends, storeUnderTest } from './support/stores.js';

const MiB = 1024 * 1024;

let dataDir: string;
beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'tuskit-stores-'));
});
afterAll(async () => {
  await stopBackends();
  await rm(dataDir, { recursive: true, force: true });
});

let nextId = 0;
/** Creates upload `id` of `size` bytes in the store and writes `bytes` from offset 0. */
async function created(store: DataStore, size: number, bytes: Buffer): Promise<string> {
  const id = `upload-${nextId++}`;
  const upload = await store.create({ id, size, metadata: {}, createdAt: new Date() });
  expect(await upload.write(0, Readable.from([bytes]))).toBe(bytes.length);
  return id;
}

async function opened(store: DataStore, id: string): Promise<UploadHandle> {
  const upload = await store.open(id);
  if (!upload) throw new Error(`no upload ${id}`);
  return upload;
}

async function readAll(store: ReadableStore, id: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of await store.read(id)) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

describeWithDocker(docker, 'STORE=s3 on MinIO', () => {
  it('works with S3_REGION and S3_FORCE_PATH_STYLE unset, and cuts parts of S3_PART_SIZE', async () => {
    const variables = { S3_REGION: '', S3_FORCE_PATH_STYLE: '', S3_PART_SIZE: String(5 * MiB) };
    const { store } = await storeUnderTest('s3', dataDir, variables);
    const s3 = store as S3Store;
    const bytes = Buffer.alloc(6 * MiB + 1000, 7);
    const id = await created(s3, bytes.length, bytes.subarray(0, 5.5 * MiB));

    const { Uploads = [] } = await s3.client.send(new ListMultipartUploadsCommand({ Bucket: s3.bucket }));
    const upload = Uploads.find((u) => u.Key === s3.keyPrefix + id);
    const { Parts = [] } = await s3.client.send(new ListPartsCommand({ Bucket: s3.bucket, Key: upload?.Key, UploadId: upload?.UploadId }));
    expect(Parts.map((part) => part.Size)).toEqual([5 * MiB]);

    const rest = await opened(s3, id);
    expect(await rest.write(5.5 * MiB, Readable.from([bytes.subarray(5.5 * MiB)]))).toBe(bytes.length);
    await rest.finalize();
    expect(sha256(await readAll(s3, id))).toBe(sha256(bytes));
  });
});

describeWithDocker(docker, 'STORE=gcs on fake-gcs-server', () => {
  afterEach(() => vi.unstubAllEnvs());

  // `npm start` hands the server process.env, and the client library reads STORAGE_EMULATOR_HOST there too.
  it.each([
    ['host:port', (endpoint: URL) => endpoint.host],
    ['an origin', (endpoint: URL) => endpoint.origin],
    ['the JSON API base', (endpoint: URL) => `${endpoint.origin}/storage/v1`],
  ])('reaches the emulator with STORAGE_EMULATOR_HOST as %s, in the process environment too', async (_, form) => {
    const { env } = await storeUnderTest('gcs', dataDir);
    const value = form(new URL(`http://${env.STORAGE_EMULATOR_HOST}`));
    vi.stubEnv('STORAGE_EMULATOR_HOST', value);
    const { store } = await storeUnderTest('gcs', dataDir, { STORAGE_EMULATOR_HOST: value });
    const bytes = Buffer.alloc(300_000, 3);
    const id = await created(store, bytes.length, bytes);
    await (await opened(store, id)).finalize();
    expect(sha256(await readAll(store as DataStore & ReadableStore, id))).toBe(sha256(bytes));
  });

  it('serves downloads through the API when the credentials cannot sign, and stops asking the store', async () => {
    const { env } = await storeUnderTest('gcs', dataDir);
    // A user's application-default credentials: fine for the emulator, but without a key to sign with.
    const credentials = { type: 'authorized_user', client_id: 'id', client_secret: 'secret', refresh_token: 'token' };
    const storage = { apiEndpoint: `http://${env.STORAGE_EMULATOR_HOST}`, projectId: env.GCS_PROJECT_ID, credentials };
    const t = await startTestServer('express', { store: new GcsStore({ bucket: env.GCS_BUCKET!, storage }) });
    try {
      const project = await t.api.createProject();
      const media = fixtureCases()[3]!; // audio.wav
      for (const attempt of [1, 2]) {
        const { asset, location } = await t.api.createAsset(project.id, media.bytes.length);
        await t.api.upload(location, media.bytes);
        await expectReadyAsset(t, asset.id, media);
        expect(t.errors, `after asset ${attempt}`).toEqual([expect.objectContaining({ message: 'Cannot sign data without `client_email`.' })]);
      }
    } finally {
      await t.dispose();
    }
  });
});
