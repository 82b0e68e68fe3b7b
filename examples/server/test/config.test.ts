import { resolve } from 'node:path';
import { isDownloadUrlStore, isListableStore, isReadableStore } from '@tuskit/core';
import { FileStore } from '@tuskit/store-fs';
import { DefaultAzureCredential } from '@azure/identity';
import { StorageSharedKeyCredential } from '@azure/storage-blob';
import { AzureStore } from '@tuskit/store-azure';
import { GcsStore } from '@tuskit/store-gcs';
import { S3Store } from '@tuskit/store-s3';
import { describe, expect, it } from 'vitest';
import { ConfigError, createStoreFromEnv, optionsFromEnv, resolveOptions } from '../src/index.js';
import { ApiClient, startTestServer } from './support/server.js';

describe('optionsFromEnv', () => {
  it('reads every variable of the table', () => {
    const env = {
      PORT: '8080',
      HOST: '0.0.0.0',
      PUBLIC_URL: 'https://api.example.com',
      API_KEY: 'secret',
      DATA_DIR: '/var/lib/api',
      FRAMEWORK: 'koa',
      MAX_UPLOAD_BYTES: '1000000',
      UPLOAD_TTL_SECONDS: '3600',
      UPLOAD_IDLE_TTL_SECONDS: '600',
      REAP_INTERVAL_SECONDS: '5',
      LOG_LEVEL: 'debug',
      CORS_ORIGINS: 'https://app.example.com, http://localhost:3000',
      METRICS_KEY: 'scrape',
    };
    expect(optionsFromEnv(env)).toEqual({
      logLevel: 'debug',
      corsOrigins: ['https://app.example.com', 'http://localhost:3000'],
      metricsKey: 'scrape',
      port: 8080,
      host: '0.0.0.0',
      publicUrl: 'https://api.example.com',
      apiKey: 'secret',
      dataDir: '/var/lib/api',
      framework: 'koa',
      maxUploadBytes: 1_000_000,
      uploadTtlSeconds: 3600,
      uploadIdleTtlSeconds: 600,
      reapIntervalSeconds: 5,
    });
  });

  it('leaves unset and empty variables to the defaults of the table', () => {
    const resolved = resolveOptions(optionsFromEnv({ PORT: '', API_KEY: ' ' }));
    expect(resolved.apiKey).toBeUndefined();
    expect(resolved.publicUrl).toBeUndefined();
    expect(resolved).toMatchObject({
      port: 1080,
      host: '127.0.0.1',
      dataDir: resolve('./data'),
      framework: 'express',
      maxUploadBytes: 53_687_091_200,
      uploadTtlSeconds: 604_800,
      uploadIdleTtlSeconds: 172_800,
      reapIntervalSeconds: 60,
      logLevel: 'info',
      corsOrigins: '*',
    });
    expect(resolved.metricsKey).toBeUndefined();
  });

  it.each([
    [{ PORT: 'http' }, 'PORT must be a non-negative integer, not "http".'],
    [{ PORT: '70000' }, 'PORT must be an integer from 0 to 65535, not 70000.'],
    [{ MAX_UPLOAD_BYTES: '1e9' }, 'MAX_UPLOAD_BYTES must be a non-negative integer, not "1e9".'],
    [{ MAX_UPLOAD_BYTES: '63' }, 'MAX_UPLOAD_BYTES must be an integer from 64'],
    [{ UPLOAD_TTL_SECONDS: '0' }, 'UPLOAD_TTL_SECONDS must be an integer from 1'],
    [{ REAP_INTERVAL_SECONDS: '-5' }, 'REAP_INTERVAL_SECONDS must be a non-negative integer'],
    [{ FRAMEWORK: 'fastify' }, 'FRAMEWORK must be express or koa, not "fastify".'],
    [{ PUBLIC_URL: 'api.example.com' }, 'PUBLIC_URL must be an absolute URL'],
    [{ PUBLIC_URL: 'ftp://api.example.com' }, 'PUBLIC_URL must be an http(s) origin'],
    [{ LOG_LEVEL: 'verbose' }, 'LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, not "verbose".'],
    [{ CORS_ORIGINS: 'https://app.example.com/path' }, 'CORS_ORIGINS must be * or origins such as'],
    [{ CORS_ORIGINS: 'app.example.com' }, 'CORS_ORIGINS must be * or origins such as'],
  ])('refuses %j', (env, message) => {
    expect(() => resolveOptions(optionsFromEnv(env))).toThrow(ConfigError);
    expect(() => resolveOptions(optionsFromEnv(env))).toThrow(message);
  });
});

/** A connection string of Azurite's well-known development account, on its default port. */
const AZURITE =
  'DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;' +
  'AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;' +
  'BlobEndpoint=http://127.0.0.1:10000/devstoreaccount1;';

describe('createStoreFromEnv', () => {
  it('builds the fs store under DATA_DIR/uploads by default', async () => {
    for (const env of [{}, { STORE: 'fs' }]) {
      const store = await createStoreFromEnv({ env, dataDir: '/tmp/api-data' });
      expect(store).toBeInstanceOf(FileStore);
      expect((store as FileStore).directory).toBe('/tmp/api-data/uploads');
    }
  });

  it.each([
    [{ STORE: 's3' }, 'S3_BUCKET must be set with STORE=s3.'],
    [{ STORE: 'gcs', GCS_PROJECT_ID: 'media' }, 'GCS_BUCKET must be set with STORE=gcs.'],
    [{ STORE: 's3', S3_BUCKET: 'b', S3_PART_SIZE: '1048576' }, 'S3_PART_SIZE must be from 5242880 (5 MiB) to 5368709120 (5 GiB), not 1048576.'],
    [{ STORE: 's3', S3_BUCKET: 'b', S3_PART_SIZE: '8M' }, 'S3_PART_SIZE must be a non-negative integer, not "8M".'],
    [{ STORE: 's3', S3_BUCKET: 'b', S3_ENDPOINT: 'minio:9000' }, 'S3_ENDPOINT must be an http(s) URL, not "minio:9000".'],
    [{ STORE: 's3', S3_BUCKET: 'b', S3_FORCE_PATH_STYLE: 'maybe' }, 'S3_FORCE_PATH_STYLE must be true or false, not "maybe".'],
    [{ STORE: 's3', S3_BUCKET: 'b', S3_ACCESS_KEY_ID: 'AKIA1' }, 'S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY go together'],
    [{ STORE: 'gcs', GCS_BUCKET: 'b', STORAGE_EMULATOR_HOST: 'ftp://127.0.0.1:4443' }, 'STORAGE_EMULATOR_HOST must be an http(s) URL or host:port, not "ftp://127.0.0.1:4443".'],
    [{ STORE: 'azure', AZURE_STORAGE_ACCOUNT: 'media' }, 'AZURE_CONTAINER must be set with STORE=azure.'],
    [{ STORE: 'azure', AZURE_CONTAINER: 'c' }, 'STORE=azure needs AZURE_STORAGE_CONNECTION_STRING, or AZURE_STORAGE_ACCOUNT'],
    [{ STORE: 'azure', AZURE_CONTAINER: 'c', AZURE_STORAGE_CONNECTION_STRING: AZURITE, AZURE_STORAGE_KEY: 'k' }, 'leave AZURE_STORAGE_ACCOUNT and AZURE_STORAGE_KEY unset'],
    [{ STORE: 'azure', AZURE_CONTAINER: 'c', AZURE_STORAGE_ACCOUNT: 'a', AZURE_BLOB_ENDPOINT: 'a.blob' }, 'AZURE_BLOB_ENDPOINT must be an http(s) URL, not "a.blob".'],
  ])('refuses %j with a ConfigError', async (env, message) => {
    const created = createStoreFromEnv({ env, dataDir: '/tmp' });
    await expect(created).rejects.toThrow(ConfigError);
    await expect(created).rejects.toThrow(message);
  });

  it('builds an S3 store from the S3_* variables, with the SDK defaults where they are unset', async () => {
    const aws = (await createStoreFromEnv({ env: { STORE: 's3', S3_BUCKET: 'media' }, dataDir: '/tmp' })) as S3Store;
    expect(aws).toBeInstanceOf(S3Store);
    expect([aws.bucket, aws.keyPrefix, await aws.client.config.region(), aws.client.config.forcePathStyle]).toEqual(['media', '', 'us-east-1', false]);
    const env = {
      STORE: 's3',
      S3_BUCKET: 'media',
      S3_ENDPOINT: 'http://127.0.0.1:9000/',
      S3_REGION: 'eu-central-1',
      S3_ACCESS_KEY_ID: 'minio',
      S3_SECRET_ACCESS_KEY: 'minio-secret',
      S3_KEY_PREFIX: 'uploads/',
    };
    const minio = (await createStoreFromEnv({ env, dataDir: '/tmp' })) as S3Store;
    expect([minio.keyPrefix, await minio.client.config.region(), minio.client.config.forcePathStyle]).toEqual(['uploads/', 'eu-central-1', true]);
    expect(await minio.client.config.endpoint?.()).toMatchObject({ protocol: 'http:', hostname: '127.0.0.1', port: 9000, path: '/' });
    expect(await minio.client.config.credentials()).toMatchObject({ accessKeyId: 'minio', secretAccessKey: 'minio-secret' });
    const virtualHosted = (await createStoreFromEnv({ env: { ...env, S3_FORCE_PATH_STYLE: 'no' }, dataDir: '/tmp' })) as S3Store;
    expect(virtualHosted.client.config.forcePathStyle).toBe(false);
  });

  it('builds a GCS store that signs its own download URLs, unless on an emulator', async () => {
    const gcs = await createStoreFromEnv({ env: { STORE: 'gcs', GCS_BUCKET: 'media', GCS_PROJECT_ID: 'p', GCS_KEY_PREFIX: 'u/' }, dataDir: '/tmp' });
    expect(gcs).toBeInstanceOf(GcsStore);
    expect([(gcs as GcsStore).bucket.name, (gcs as GcsStore).objectName('a1'), isDownloadUrlStore(gcs)]).toEqual(['media', 'u/a1', true]);
    const emulated = await createStoreFromEnv({ env: { STORE: 'gcs', GCS_BUCKET: 'media', STORAGE_EMULATOR_HOST: '127.0.0.1:4443' }, dataDir: '/tmp' });
    expect([isDownloadUrlStore(emulated), isReadableStore(emulated), isListableStore(emulated)]).toEqual([false, true, true]);
  });

  it('builds an Azure store from a connection string, an account key or an identity', async () => {
    const env = { STORE: 'azure', AZURE_CONTAINER: 'media', AZURE_KEY_PREFIX: 'u/' };
    const local = (await createStoreFromEnv({ env: { ...env, AZURE_STORAGE_CONNECTION_STRING: AZURITE }, dataDir: '/tmp' })) as AzureStore;
    expect(local).toBeInstanceOf(AzureStore);
    expect([local.container.url, local.blobName('a1'), local.container.credential]).toEqual([
      'http://127.0.0.1:10000/devstoreaccount1/media',
      'u/a1',
      expect.any(StorageSharedKeyCredential),
    ]);
    const keyed = (await createStoreFromEnv({ env: { ...env, AZURE_STORAGE_ACCOUNT: 'acct', AZURE_STORAGE_KEY: 'a2V5' }, dataDir: '/tmp' })) as AzureStore;
    expect([keyed.container.url, keyed.container.credential]).toEqual(['https://acct.blob.core.windows.net/media', expect.any(StorageSharedKeyCredential)]);
    // No key: the client signs in through DefaultAzureCredential (nothing is requested before the first call).
    const identity = (await createStoreFromEnv({ env: { ...env, AZURE_STORAGE_ACCOUNT: 'acct', AZURE_BLOB_ENDPOINT: 'https://blob.example.net/acct/' }, dataDir: '/tmp' })) as AzureStore;
    expect([identity.container.url, identity.container.credential]).toEqual(['https://blob.example.net/acct/media', expect.any(DefaultAzureCredential)]);
  });

  it('refuses an unknown STORE', async () => {
    await expect(createStoreFromEnv({ env: { STORE: 'ftp' }, dataDir: '/tmp' })).rejects.toThrow(
      'STORE must be one of fs, s3, gcs, azure, not "ftp".',
    );
  });
});

describe('PUBLIC_URL', () => {
  it('is the origin of Location and upload_url', async () => {
    const t = await startTestServer('express', { publicUrl: 'https://uploads.example.com/' });
    try {
      expect(t.server.url).toBe('https://uploads.example.com');
      const api = new ApiClient(`http://127.0.0.1:${t.server.port}`, t.server.apiKey);
      const project = await api.createProject();
      const { asset, location } = await api.createAsset(project.id, 100);
      expect(location).toBe(`https://uploads.example.com/v1/uploads/${asset.id}`);
      expect(asset.upload_url).toBe(location);
    } finally {
      await t.dispose();
    }
  });
});
