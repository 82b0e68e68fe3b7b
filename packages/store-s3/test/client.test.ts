import { HeadObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createS3StoreClient } from '../src/index.js';

/** A client whose requests never leave the process: every answer is an empty 200. */
function offlineClient(config: { cacheMiddleware?: boolean } = {}): S3Client {
  return createS3StoreClient({
    region: 'us-east-1',
    endpoint: 'http://127.0.0.1:9',
    forcePathStyle: true,
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    requestHandler: {
      handle: async () => ({ response: { statusCode: 200, headers: {}, body: Readable.from([]) } }),
    },
    ...config,
  });
}

/** How many times the client builds its middleware chain over `requests` HeadObject calls. */
async function resolutions(client: S3Client, requests: number): Promise<number> {
  let built = 0;
  client.middlewareStack.add(
    (next) => {
      built += 1;
      return next;
    },
    { step: 'initialize', name: 'countResolutions' },
  );
  for (let i = 0; i < requests; i++) await client.send(new HeadObjectCommand({ Bucket: 'b', Key: `k${i}` }));
  return built;
}

describe('createS3StoreClient', () => {
  it('builds each command middleware chain once, not on every request', async () => {
    const client = offlineClient();
    expect(await resolutions(client, 3)).toBe(1);
    client.destroy();
  });

  it('leaves the choice to a config that turns the cache off', async () => {
    const client = offlineClient({ cacheMiddleware: false });
    expect(await resolutions(client, 3)).toBe(3);
    client.destroy();
  });
});
