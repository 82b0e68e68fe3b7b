// The stores the end-to-end tests run the server on: files under DATA_DIR, S3 on MinIO, GCS on fake-gcs-server
// and Azure on Azurite (started through @tuskit/testkit), each built by the server's own factory from its variables.
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { ListMultipartUploadsCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { BlobServiceClient } from '@azure/storage-blob';
import type { DataStore, UploadHandle } from '@tuskit/core';
import {
  createAzuriteContainer,
  createBucket,
  createGcsBucket,
  createS3Client,
  dockerAvailability,
  startFakeGcs,
  startAzurite,
  startMinio,
  type AzuriteTarget,
  type GcsTarget,
  type S3Target,
} from '@tuskit/testkit';
import { createStoreFromEnv, type StoreKind } from '../../src/index.js';

export const docker = await dockerAvailability();

/** A store built for one server, and a view of its backend from outside the server. */
export interface StoreUnderTest {
  kind: StoreKind;
  /** The variables the store was built from (`STORE` and the store's own). */
  env: Record<string, string>;
  /** The store the server runs on; it reports the bytes its writes consume to {@link received}. */
  store: DataStore;
  /** Everything the backend holds whose name contains `id`: files, objects, S3 multipart uploads. */
  leftovers(id: string): Promise<string[]>;
  /** Resolves once the store has consumed `bytes` bytes of PATCH bodies for upload `id`. */
  received(id: string, bytes: number): Promise<void>;
  /** What the `download_url` of ready asset `id` looks like on a server at `serverUrl`. */
  downloadUrl(serverUrl: string, id: string): RegExp;
}

/** The variables of a store and how to list what its backend holds. */
interface Backend {
  env: Record<string, string>;
  names(): Promise<string[]>;
  downloadUrl?(id: string): RegExp;
}

/** Key prefixes set on S3 and GCS, so that the tests also cover S3_KEY_PREFIX and GCS_KEY_PREFIX. */
export const KEY_PREFIX = 'media/';

const running: { minio?: Promise<S3Target>; gcs?: Promise<GcsTarget>; azurite?: Promise<AzuriteTarget> } = {};

/**
 * Builds the store of `kind` for a server with data directory `dataDir`, from
 * the variables the server documents: fs under `dataDir`, or a fresh bucket
 * on this file's MinIO or fake-gcs-server (started on first use; see
 * {@link stopBackends}). `variables` replace the ones set here (blank: unset).
 */
export async function storeUnderTest(kind: StoreKind, dataDir: string, variables: Record<string, string> = {}): Promise<StoreUnderTest> {
  const backend = await BACKENDS[kind](dataDir);
  const env = { STORE: kind, ...backend.env, ...variables };
  const writes = new WriteCounter();
  const store = writes.observe(await createStoreFromEnv({ env, dataDir }));
  return {
    kind,
    env,
    store,
    leftovers: async (id) => (await backend.names()).filter((name) => name.includes(id)),
    received: (id, bytes) => writes.reached(id, bytes),
    downloadUrl: (serverUrl, id) => backend.downloadUrl?.(id) ?? apiDownloadLink(serverUrl, id),
  };
}

/** The form of the API's own signed download link of asset `id`. */
export function apiDownloadLink(serverUrl: string, id: string): RegExp {
  return new RegExp(`^${serverUrl}/v1/downloads/${id}\\?expires=\\d+&signature=`);
}

/** Stops the containers this file started; the next {@link storeUnderTest} starts new ones. */
export async function stopBackends(): Promise<void> {
  const { minio, gcs, azurite } = running;
  delete running.minio;
  delete running.gcs;
  delete running.azurite;
  await Promise.all([minio?.then((s3) => s3.stop()), gcs?.then((target) => target.stop()), azurite?.then((target) => target.stop())]);
}

const BACKENDS: Record<StoreKind, (dataDir: string) => Promise<Backend>> = {
  fs: async (dataDir) => ({
    env: {},
    names: () => readdir(join(dataDir, 'uploads')).catch(() => []),
  }),
  s3: async () => {
    const s3 = await (running.minio ??= startMinio());
    const bucket = await createBucket(s3);
    return {
      env: {
        S3_BUCKET: bucket,
        S3_ENDPOINT: s3.endpoint,
        S3_REGION: s3.region,
        S3_ACCESS_KEY_ID: s3.accessKeyId,
        S3_SECRET_ACCESS_KEY: s3.secretAccessKey,
        S3_FORCE_PATH_STYLE: String(s3.forcePathStyle),
        S3_KEY_PREFIX: KEY_PREFIX,
      },
      names: () => s3Names(s3, bucket),
      // MinIO checks the signature, so fetching this URL proves it.
      downloadUrl: (id) => new RegExp(`^${s3.endpoint}/${bucket}/${KEY_PREFIX}${id}\\?.*X-Amz-Signature=[0-9a-f]{64}`),
    };
  },
  gcs: async () => {
    const gcs = await (running.gcs ??= startFakeGcs());
    const bucket = await createGcsBucket(gcs);
    return {
      env: {
        GCS_BUCKET: bucket,
        GCS_PROJECT_ID: gcs.projectId,
        STORAGE_EMULATOR_HOST: new URL(gcs.endpoint).host,
        GCS_KEY_PREFIX: KEY_PREFIX,
      },
      names: () => gcsNames(gcs, bucket),
    };
  },
  azure: async () => {
    const azurite = await (running.azurite ??= startAzurite());
    const container = await createAzuriteContainer(azurite);
    return {
      env: {
        AZURE_CONTAINER: container,
        AZURE_STORAGE_CONNECTION_STRING: azurite.connectionString,
        AZURE_KEY_PREFIX: KEY_PREFIX,
      },
      names: () => azureNames(azurite, container),
      // Azurite checks the signature, so fetching this URL proves it.
      downloadUrl: (id) => new RegExp(`^${azurite.blobEndpoint}/${container}/${KEY_PREFIX}${id}\\?.*sp=r.*&sig=`),
    };
  },
};

/** Every blob name, with ` (uncommitted blocks)` where blocks were staged but not committed. */
async function azureNames(azurite: AzuriteTarget, container: string): Promise<string[]> {
  const client = BlobServiceClient.fromConnectionString(azurite.connectionString).getContainerClient(container);
  const names: string[] = [];
  for await (const blob of client.listBlobsFlat({ includeUncommitedBlobs: true })) {
    const list = await client.getBlockBlobClient(blob.name).getBlockList('uncommitted');
    names.push((list.uncommittedBlocks?.length ?? 0) > 0 ? `${blob.name} (uncommitted blocks)` : blob.name);
  }
  return names;
}

/** Every object key and the key of every multipart upload in progress. */
async function s3Names(s3: S3Target, bucket: string): Promise<string[]> {
  const client = createS3Client(s3);
  try {
    const names: string[] = [];
    let token: string | undefined;
    do {
      const page = await client.send(new ListObjectsV2Command({ Bucket: bucket, ContinuationToken: token }));
      names.push(...(page.Contents ?? []).map((object) => object.Key ?? ''));
      token = page.NextContinuationToken;
    } while (token);
    const uploads = await client.send(new ListMultipartUploadsCommand({ Bucket: bucket }));
    return [...names, ...(uploads.Uploads ?? []).map((upload) => `multipart upload of ${upload.Key}`)];
  } finally {
    client.destroy();
  }
}

/** Every object name, through the emulator's JSON API. */
async function gcsNames(gcs: GcsTarget, bucket: string): Promise<string[]> {
  const names: string[] = [];
  let token: string | undefined;
  do {
    const url = new URL(`${gcs.endpoint}/storage/v1/b/${bucket}/o`);
    if (token) url.searchParams.set('pageToken', token);
    const response = await fetch(url);
    if (!response.ok) throw new Error(`listing ${bucket}: ${response.status} ${await response.text()}`);
    const page = (await response.json()) as { items?: Array<{ name: string }>; nextPageToken?: string };
    names.push(...(page.items ?? []).map((item) => item.name));
    token = page.nextPageToken;
  } while (token);
  return names;
}

/** Counts the bytes a store's writes take from PATCH bodies, per upload, and wakes who waits for a count. */
class WriteCounter {
  readonly #consumed = new Map<string, number>();
  readonly #waiting = new Set<() => void>();

  /** The store, with the `write` of the uploads it opens counting; every other member is the store's own. */
  observe(store: DataStore): DataStore {
    const counting = (upload: UploadHandle): UploadHandle => ({
      get info() {
        return upload.info;
      },
      write: (offset, body) => upload.write(offset, this.#count(upload.info.id, body)),
      update: (changes) => upload.update(changes),
      finalize: () => upload.finalize(),
      remove: () => upload.remove(),
    });
    return new Proxy(store, {
      get(target, key) {
        if (key === 'open') return async (id: string) => ((u) => u && counting(u))(await target.open(id));
        const value: unknown = Reflect.get(target, key, target);
        // Bound to the store itself: its methods use private fields, which a proxy does not have.
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
  }

  reached(id: string, bytes: number): Promise<void> {
    return new Promise((resolve) => {
      const check = () => {
        if ((this.#consumed.get(id) ?? 0) < bytes) return;
        this.#waiting.delete(check);
        resolve();
      };
      this.#waiting.add(check);
      check();
    });
  }

  async *#count(id: string, body: AsyncIterable<Uint8Array>): AsyncIterable<Uint8Array> {
    for await (const chunk of body) {
      this.#consumed.set(id, (this.#consumed.get(id) ?? 0) + chunk.length);
      for (const check of [...this.#waiting]) check();
      yield chunk;
    }
  }
}
