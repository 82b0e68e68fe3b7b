import { resolve } from 'node:path';
import { FileStore } from '@tuskit/store-fs';
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
    };
    expect(optionsFromEnv(env)).toEqual({
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
    });
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
  ])('refuses %j', (env, message) => {
    expect(() => resolveOptions(optionsFromEnv(env))).toThrow(ConfigError);
    expect(() => resolveOptions(optionsFromEnv(env))).toThrow(message);
  });
});

describe('createStoreFromEnv', () => {
  it('builds the fs store under DATA_DIR/uploads by default', async () => {
    for (const env of [{}, { STORE: 'fs' }]) {
      const store = await createStoreFromEnv({ env, dataDir: '/tmp/api-data' });
      expect(store).toBeInstanceOf(FileStore);
      expect((store as FileStore).directory).toBe('/tmp/api-data/uploads');
    }
  });

  it.each([
    ['s3', '@tuskit/store-s3'],
    ['gcs', '@tuskit/store-gcs'],
  ])('says STORE=%s is not available yet', async (kind, packageName) => {
    const created = createStoreFromEnv({ env: { STORE: kind }, dataDir: '/tmp' });
    await expect(created).rejects.toThrow(ConfigError);
    await expect(created).rejects.toThrow(`STORE=${kind} is not available yet: ${packageName}`);
  });

  it('refuses an unknown STORE', async () => {
    await expect(createStoreFromEnv({ env: { STORE: 'ftp' }, dataDir: '/tmp' })).rejects.toThrow(
      'STORE must be one of fs, s3, gcs, not "ftp".',
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
