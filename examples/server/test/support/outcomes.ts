import { expect } from 'vitest';
import { sha256, type ServerUnderTest } from './assertions.js';
import { download } from './server.js';

/**
 * Waits for processing, then checks that the asset is `ready` for exactly
 * `data`: its declared size, and a `download_url` serving the same bytes.
 */
export async function expectReadyUpload(t: ServerUnderTest, id: string, data: Uint8Array): Promise<void> {
  await t.server.drain();
  const { status, body: asset } = await t.api.asset(id);
  expect(status).toBe(200);
  expect(asset).toMatchObject({ id, state: 'ready', size_bytes: data.length, error_code: null });
  const whole = await download(asset.download_url as string);
  expect(whole.status).toBe(200);
  expect(sha256(whole.bytes)).toBe(sha256(data));
}
