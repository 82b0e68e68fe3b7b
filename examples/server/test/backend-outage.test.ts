// The storage backend goes down in the middle of a PATCH: a clean 503 in bounded time, then a byte-exact resume.
import { generateKeyPairSync } from 'node:crypto';
import type { DataStore } from '@tuskit/core';
import { wavFile } from '@tuskit/core/testing';
import { AzureStore } from '@tuskit/store-azure';
import { GcsStore } from '@tuskit/store-gcs';
import { S3Store, createS3StoreClient } from '@tuskit/store-s3';
import {
  HEALTH_PATHS,
  azuriteOutage,
  backendOutage,
  createAzuriteContainer,
  createGcsBucket,
  describeWithDocker,
  dockerAvailability,
  startAzurite,
  startFakeGcs,
  startMinio,
  type BackendOutage,
} from '@tuskit/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectReadyUpload } from './support/outcomes.js';
import { startTestServer, type TestServer } from './support/server.js';
import { sized } from './support/sizes.js';
import { streamingPatch } from './support/streaming-patch.js';

const docker = await dockerAvailability();
const MiB = 1024 * 1024;
/** A third of the upload: acknowledged before the outage, then the PATCH the outage cuts (large: whole parts). */
const UNIT = sized(MiB, 16 * MiB);

/** A store on a backend container that can be taken down. */
interface Backend {
  store: DataStore;
  outage: BackendOutage;
  /**
   * The longest a request may take to fail while the backend is down: the
   * store client's retries with backoff (measured: S3 ~0.2 s, GCS ~15 s for
   * a HEAD, whose listing is retried 3 times with exponential backoff, Azure
   * ~0.3 s: 3 tries, 100 ms apart, then doubled).
   */
  failureBoundMs: number;
  stop(): Promise<void>;
}

async function minioBackend(): Promise<Backend> {
  const s3 = await startMinio({ bucket: 'outage', ignoreExternal: true });
  const { endpoint, region, forcePathStyle, accessKeyId, secretAccessKey } = s3;
  const client = createS3StoreClient({ endpoint, region, forcePathStyle, credentials: { accessKeyId, secretAccessKey } });
  return {
    store: new S3Store({ bucket: s3.bucket as string, client }),
    outage: backendOutage(s3, { healthPath: HEALTH_PATHS.minio }),
    failureBoundMs: 10_000,
    stop: async () => {
      client.destroy();
      await s3.stop();
    },
  };
}

async function fakeGcsBackend(): Promise<Backend> {
  // The filesystem backend keeps every object across the container's stop and start.
  const gcs = await startFakeGcs({ backend: 'filesystem' });
  const bucket = await createGcsBucket(gcs);
  const storage = { apiEndpoint: gcs.endpoint, projectId: gcs.projectId, credentials: localServiceAccount() };
  return {
    store: new GcsStore({ bucket, storage }),
    outage: backendOutage(gcs, { healthPath: HEALTH_PATHS.fakeGcs }),
    failureBoundMs: 30_000,
    stop: () => gcs.stop(),
  };
}

async function azuriteBackend(): Promise<Backend> {
  // On disk, Azurite keeps every committed block across its stop and start.
  const azurite = await startAzurite({ persistence: 'disk' });
  const container = await createAzuriteContainer(azurite);
  return {
    store: new AzureStore({ container, connectionString: azurite.connectionString }),
    outage: azuriteOutage(azurite),
    failureBoundMs: 10_000,
    stop: () => azurite.stop(),
  };
}

const TITLE = 'the reference server when its storage backend goes down mid-PATCH';

describeWithDocker(docker, TITLE, () => {
  describe.each([
    ['S3 (MinIO)', minioBackend],
    ['GCS (fake-gcs-server)', fakeGcsBackend],
  ])('on %s', (_, startBackend) => describeOutage(startBackend));
});

// Azurite is an npm package: no Docker needed.
describe(TITLE, () => {
  describe('on Azure (Azurite)', () => describeOutage(azuriteBackend));
});

function describeOutage(startBackend: () => Promise<Backend>): void {
  let backend: Backend;
  let t: TestServer;

  beforeAll(async () => {
    backend = await startBackend();
    t = await startTestServer('express', { store: backend.store });
  });
  afterAll(async () => {
    await t?.dispose();
    await backend?.stop();
  });

  it('answers 503 store_unavailable within the bound, keeps what was acknowledged, and resumes byte-exact', { timeout: sized(60_000, 300_000) }, async () => {
    const data = wavFile(3 * UNIT);
    const project = await t.api.createProject();
    const { asset, location } = await t.api.createAsset(project.id, data.length);
    const first = await t.api.patch(location, 0, data.subarray(0, UNIT));
    expect([first.status, first.headers.get('upload-offset')]).toEqual([204, String(UNIT)]);

    const patch = streamingPatch(location, t.api.apiKey, UNIT, UNIT);
    await patch.write(data.subarray(UNIT, UNIT + UNIT / 2));
    await backend.outage.begin();
    const down = performance.now();
    try {
      await patch.write(data.subarray(UNIT + UNIT / 2, 2 * UNIT));
      patch.end();
      const answer = await patch.answer;
      expect(answer).toMatchObject({ status: 503, code: 'store_unavailable' });
      expect(answer.at - down).toBeLessThan(backend.failureBoundMs);

      const head = await timed(() => fetch(location, { method: 'HEAD', headers: { ...t.api.auth, 'tus-resumable': '1.0.0' } }));
      expect(head.value.status).toBe(503);
      expect(head.ms).toBeLessThan(backend.failureBoundMs);
      // The API itself stays up: the asset is still known and waiting for its bytes.
      expect((await t.api.asset(asset.id)).body).toMatchObject({ state: 'pending_upload' });
    } finally {
      await backend.outage.end();
    }

    const offset = await t.api.offset(location);
    expect(offset).toBeGreaterThanOrEqual(UNIT);
    expect(offset).toBeLessThanOrEqual(2 * UNIT);
    await t.api.upload(location, data, UNIT, offset);
    await expectReadyUpload(t, asset.id, data);
  });
}

/**
 * A throwaway key posing as a service account's: download links are signed
 * locally with it, where the client would otherwise go looking for a cloud
 * identity (the metadata server) to sign with.
 */
function localServiceAccount(): { client_email: string; private_key: string } {
  const { privateKey } = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  return { client_email: 'uploads@tuskit-test.iam.gserviceaccount.com', private_key: privateKey };
}

async function timed<T>(work: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const started = performance.now();
  const value = await work();
  return { value, ms: performance.now() - started };
}
