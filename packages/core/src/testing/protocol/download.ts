import { createHash } from 'node:crypto';
import contentDisposition from 'content-disposition';
import { afterEach, describe, expect, it } from 'vitest';
import type { TusOptions } from '../../options.js';
import { isDownloadUrlStore } from '../../store.js';
import { wavFile } from '../bytes.js';
import { API_KEY, Harness, type ProtocolSuiteOptions } from './harness.js';

const FILENAME = 'take "1"; ünïcode\r\nX-Evil: 1.wav';
const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

/** GET on the upload URL of a finished upload: ranges, validators, type and file name, redirects. */
export function downloadCases(suite: ProtocolSuiteOptions): void {
  let h: Harness | undefined;
  const start = async (overrides: Partial<TusOptions<unknown>> = {}) => (h = await new Harness(suite).start(overrides));
  afterEach(async () => {
    await h?.stop();
    h = undefined;
  });
  const get = (t: Harness, id: string, headers: Record<string, string> = {}, redirect: 'follow' | 'manual' = 'follow') =>
    fetch(`${t.url}/${id}`, { headers: { authorization: `Bearer ${API_KEY}`, ...headers }, redirect });
  const bytesOf = async (response: Response) => Buffer.from(await response.arrayBuffer());

  /** A finished upload of a WAV file with a hostile file name. */
  async function finished(t: Harness, size = 40_000): Promise<{ id: string; wav: Buffer }> {
    const wav = wavFile(size);
    const { id } = await t.create(wav.length, { filename: FILENAME });
    await t.upload(id, wav, 16_384);
    return { id, wav };
  }

  describe('streamed from read()', () => {
    it('serves the whole upload with its type, a safe file name and an ETag, without Tus-Resumable', async () => {
      const t = await start({ download: { redirect: false } });
      const { id, wav } = await finished(t);
      const response = await get(t, id);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toMatch(/^audio\/(x-)?wav$/);
      expect(response.headers.get('content-length')).toBe(String(wav.length));
      expect(response.headers.get('accept-ranges')).toBe('bytes');
      const disposition = response.headers.get('content-disposition') ?? '';
      expect(disposition).toMatch(/^attachment; filename="[\x20-\x7e]*"; filename\*=UTF-8''/);
      expect(disposition).not.toMatch(/[\r\n]/);
      expect(response.headers.get('x-evil')).toBeNull();
      expect(contentDisposition.parse(disposition).parameters.filename).toBe(FILENAME);
      expect(response.headers.get('etag')).toMatch(/^"[^"]+"$/);
      expect(sha256(await bytesOf(response))).toBe(sha256(wav));
    });

    it('answers one Range with 206, a suffix range too, and 416 outside the upload', async () => {
      const t = await start({ download: { redirect: false } });
      const { id, wav } = await finished(t);
      const part = await get(t, id, { range: 'bytes=1000-1999' });
      expect(part.status).toBe(206);
      expect(part.headers.get('content-range')).toBe(`bytes 1000-1999/${wav.length}`);
      expect(part.headers.get('content-length')).toBe('1000');
      expect(sha256(await bytesOf(part))).toBe(sha256(wav.subarray(1000, 2000)));
      const tail = await get(t, id, { range: 'bytes=-500' });
      expect(tail.status).toBe(206);
      expect(sha256(await bytesOf(tail))).toBe(sha256(wav.subarray(wav.length - 500)));
      const beyond = await get(t, id, { range: `bytes=${wav.length}-` });
      expect(beyond.status).toBe(416);
      expect(beyond.headers.get('content-range')).toBe(`bytes */${wav.length}`);
      await beyond.arrayBuffer();
      const several = await get(t, id, { range: 'bytes=0-9,100-109' });
      expect(several.status).toBe(200);
      expect((await bytesOf(several)).length).toBe(wav.length);
    });

    it('honours If-Range and If-None-Match', async () => {
      const t = await start({ download: { redirect: false } });
      const { id, wav } = await finished(t);
      const etag = (await get(t, id, { range: 'bytes=0-0' })).headers.get('etag') ?? '';
      const matching = await get(t, id, { range: 'bytes=0-99', 'if-range': etag });
      expect(matching.status).toBe(206);
      expect((await bytesOf(matching)).length).toBe(100);
      const stale = await get(t, id, { range: 'bytes=0-99', 'if-range': '"stale"' });
      expect(stale.status).toBe(200);
      expect(sha256(await bytesOf(stale))).toBe(sha256(wav));
      const cached = await get(t, id, { 'if-none-match': etag });
      expect(cached.status).toBe(304);
    });

    it('is 404 for an unfinished or unknown upload, 401 without credentials, and 405 when downloads are off', async () => {
      const t = await start({ download: { redirect: false } });
      const wav = wavFile(10_000);
      const { id } = await t.create(wav.length);
      await t.upload(id, wav.subarray(0, 5000));
      expect((await get(t, id)).status).toBe(404);
      expect((await get(t, 'no-such-upload')).status).toBe(404);
      const anonymous = await fetch(`${t.url}/${id}`);
      expect(anonymous.status).toBe(401);
      await t.stop();
      const off = await start();
      const done = await finished(off, 5000);
      expect((await get(off, done.id, { 'tus-resumable': '1.0.0' })).status).toBe(405);
    });
  });

  describe.skipIf(suite.signsDownloadUrls === false)('by redirect where the store signs URLs', () => {
    it('redirects to the store’s URL when it has one (else streams), and the bytes and ranges match', async () => {
      const t = await start({ download: true });
      const { id, wav } = await finished(t);
      const first = await get(t, id, {}, 'manual');
      const signs = isDownloadUrlStore(t.tus.store);
      expect(first.status).toBe(signs ? 302 : 200);
      const url = signs ? (first.headers.get('location') ?? '') : `${t.url}/${id}`;
      if (signs) expect(url).not.toContain(API_KEY);
      const headers: Record<string, string> = signs ? {} : { authorization: `Bearer ${API_KEY}` };
      const whole = await fetch(url, { headers });
      expect(whole.status).toBe(200);
      expect(whole.headers.get('content-type')).toMatch(/^audio\/(x-)?wav$/);
      expect(contentDisposition.parse(whole.headers.get('content-disposition') ?? '').parameters.filename).toBe(FILENAME);
      expect(sha256(await bytesOf(whole))).toBe(sha256(wav));
      const part = await fetch(url, { headers: { ...headers, range: 'bytes=100-199' } });
      expect(part.status).toBe(206);
      expect(sha256(await bytesOf(part))).toBe(sha256(wav.subarray(100, 200)));
    });
  });
}
