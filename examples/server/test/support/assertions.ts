import { createHash } from 'node:crypto';
import { expect } from 'vitest';
import type { MediaCase } from './media.js';
import { download, type ApiClient } from './server.js';
import { apiDownloadLink, type StoreUnderTest } from './stores.js';

export function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** `duration_seconds` is a three-decimal string equal to, or within 0.05 s of, the expected duration. */
export function expectDuration(actual: string | null, expected: string | number): void {
  expect(actual).toMatch(/^\d+\.\d{3}$/);
  if (typeof expected === 'string') expect(actual).toBe(expected);
  else expect(Math.abs(Number(actual) - expected)).toBeLessThanOrEqual(0.05);
}

/** A running server as the assertions see it (an in-process one, or the CLI). */
export interface ServerUnderTest {
  api: ApiClient;
  server: { url: string; drain(): Promise<void> };
  /** Default: a store without presigned URLs (the API's own links). */
  store?: Pick<StoreUnderTest, 'downloadUrl'>;
}

/**
 * Waits for processing, then checks that the asset is `ready` with the
 * media's fields and that its `download_url` (the store's presigned URL or
 * the API's own link) serves the same bytes, whole and by range.
 */
export async function expectReadyAsset(t: ServerUnderTest, id: string, media: MediaCase): Promise<void> {
  await t.server.drain();
  const { status, body: asset } = await t.api.asset(id);
  expect(status).toBe(200);
  expect(asset).toMatchObject({
    id,
    state: 'ready',
    type: media.type,
    content_type: media.contentType,
    extension: media.extension,
    size_bytes: media.bytes.length,
    upload_url: null,
    error_code: null,
    error_message: null,
  });
  expectDuration(asset.duration_seconds, media.duration);
  expect(asset.download_url).toMatch(t.store?.downloadUrl(t.server.url, id) ?? apiDownloadLink(t.server.url, id));

  const whole = await download(asset.download_url as string);
  expect(whole.status).toBe(200);
  expect(whole.headers.get('content-type')).toBe(media.contentType);
  expect(sha256(whole.bytes)).toBe(sha256(media.bytes));

  const [start, end] = [17, Math.min(media.bytes.length - 1, 17 + 4095)];
  const part = await download(asset.download_url as string, { range: `bytes=${start}-${end}` });
  expect(part.status).toBe(206);
  expect(part.headers.get('content-range')).toBe(`bytes ${start}-${end}/${media.bytes.length}`);
  expect(sha256(part.bytes)).toBe(sha256(media.bytes.subarray(start, end + 1)));
}
