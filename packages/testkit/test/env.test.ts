import { describe, expect, it } from 'vitest';
import {
  externalS3FromEnv,
  fakeGcsImageFromEnv,
  freePort,
  isToolRequired,
  minioImageFromEnv,
  networkModeFromEnv,
  uniqueBucketName,
} from '../src/index.js';

describe('environment', () => {
  it('requires every tool in CI unless TUSKIT_REQUIRE_TOOLS says otherwise', () => {
    expect(isToolRequired({})).toBe(false);
    expect(isToolRequired({ CI: 'true' })).toBe(true);
    expect(isToolRequired({ CI: '0' })).toBe(false);
    expect(isToolRequired({ TUSKIT_REQUIRE_TOOLS: '1' })).toBe(true);
    expect(isToolRequired({ CI: 'true', TUSKIT_REQUIRE_TOOLS: '0' })).toBe(false);
  });

  it('reads images and network mode with public defaults', () => {
    expect(minioImageFromEnv({})).toBe('minio/minio');
    expect(fakeGcsImageFromEnv({ TUSKIT_FAKE_GCS_IMAGE: 'x/gcs:1' })).toBe('x/gcs:1');
    expect(networkModeFromEnv({ TUSKIT_CONTAINER_NETWORK: 'host' })).toBe('host');
    expect(networkModeFromEnv({})).toBe('bridge');
  });

  it('targets a real S3 endpoint only when fully configured', () => {
    expect(externalS3FromEnv({})).toBeUndefined();
    expect(() => externalS3FromEnv({ TUSKIT_S3_ENDPOINT: 'https://s3.example.test' })).toThrow(/ACCESS_KEY_ID/);
    const target = externalS3FromEnv({
      TUSKIT_S3_ENDPOINT: 'https://s3.example.test',
      TUSKIT_S3_ACCESS_KEY_ID: 'id',
      TUSKIT_S3_SECRET_ACCESS_KEY: 'secret',
      TUSKIT_S3_REGION: 'eu-west-1',
      TUSKIT_S3_FORCE_PATH_STYLE: 'false',
    });
    expect(target).toMatchObject({ kind: 'external', region: 'eu-west-1', forcePathStyle: false });
  });
});

describe('helpers', () => {
  it('makes bucket names valid for S3 and GCS', () => {
    expect(uniqueBucketName('My_Uploads')).toMatch(/^my-uploads-[0-9a-f]{16}$/);
  });

  it('finds a free loopback port', async () => {
    const port = await freePort();
    expect(port).toBeGreaterThan(0);
    expect(port).toBeLessThan(65536);
  });
});
