import { afterEach, describe, expect, it } from 'vitest';
import type { TusOptions } from '../../options.js';
import { Harness, type ProtocolSuiteOptions } from './harness.js';

/** CORS options, `Cache-Control` on HEAD, `Forwarded` and relative `Location`. */
export function corsCases(suite: ProtocolSuiteOptions): void {
  let h: Harness | undefined;
  const start = async (overrides: Partial<TusOptions<unknown>> = {}) => (h = await new Harness(suite).start(overrides));
  afterEach(async () => {
    await h?.stop();
    h = undefined;
  });

  describe('CORS', () => {
    it('answers any origin with a bare * and no Vary by default', async () => {
      const t = await start();
      const { id } = await t.create(100);
      const response = await t.fetch(`/${id}`, { method: 'HEAD', headers: { origin: 'https://app.example' } });
      expect(response.headers.get('access-control-allow-origin')).toBe('*');
      expect(response.headers.get('vary')).toBeNull();
      expect(response.headers.get('access-control-allow-credentials')).toBeNull();
    });

    it('echoes a listed origin with Vary: Origin, and leaves others without Allow-Origin but with Vary', async () => {
      const t = await start({ cors: { origin: ['https://app.example'] } });
      const { id } = await t.create(100);
      const listed = await t.fetch(`/${id}`, { method: 'HEAD', headers: { origin: 'https://app.example' } });
      expect(listed.headers.get('access-control-allow-origin')).toBe('https://app.example');
      expect(listed.headers.get('vary')).toBe('Origin');
      const other = await t.fetch(`/${id}`, { method: 'HEAD', headers: { origin: 'https://evil.example' } });
      expect(other.headers.get('access-control-allow-origin')).toBeNull();
      expect(other.headers.get('vary')).toBe('Origin');
    });

    it('sends credentials, extra allowed and exposed headers, and echoes the origin instead of *', async () => {
      const t = await start({
        cors: { credentials: true, allowedHeaders: ['X-Request-Id'], exposedHeaders: ['X-Trace'], maxAgeSeconds: 60 },
      });
      const preflight = await fetch(`${t.url}/some-id`, {
        method: 'OPTIONS',
        headers: { origin: 'https://app.example', 'access-control-request-method': 'PATCH' },
      });
      expect(preflight.status).toBe(204);
      expect(preflight.headers.get('access-control-allow-origin')).toBe('https://app.example');
      expect(preflight.headers.get('access-control-allow-credentials')).toBe('true');
      expect(preflight.headers.get('access-control-allow-headers')).toMatch(/Upload-Offset.*X-Request-Id/);
      expect(preflight.headers.get('access-control-max-age')).toBe('60');
      expect(preflight.headers.get('vary')).toBe('Origin');
      const { id } = await t.create(100);
      const head = await t.fetch(`/${id}`, { method: 'HEAD', headers: { origin: 'https://app.example' } });
      expect(head.headers.get('access-control-expose-headers')).toMatch(/Upload-Offset.*X-Trace/);
      expect(head.headers.get('access-control-allow-credentials')).toBe('true');
    });

    it('sends no CORS header with cors: false', async () => {
      const t = await start({ cors: false });
      const { id } = await t.create(100);
      const response = await t.fetch(`/${id}`, { method: 'HEAD', headers: { origin: 'https://app.example' } });
      expect(response.headers.get('access-control-allow-origin')).toBeNull();
    });
  });

  describe('Cache-Control on HEAD', () => {
    it.each([
      ['a live upload', 200, (id: string) => `/${id}`, {}],
      ['an unknown upload', 404, () => '/unknown-id', {}],
      ['a request without credentials', 401, (id: string) => `/${id}`, { authorization: null }],
      ['a wrong Tus-Resumable', 412, (id: string) => `/${id}`, { 'tus-resumable': '0.2.0' }],
    ] as const)('is no-store on %s (%i)', async (_name, status, path, headers) => {
      const t = await start();
      const { id } = await t.create(100);
      const response = await t.fetch(path(id), { method: 'HEAD', headers });
      expect(response.status).toBe(status);
      expect(response.headers.get('cache-control')).toBe('no-store');
    });
  });

  describe('proxies and Location', () => {
    const post = (t: Harness, headers: Record<string, string>) =>
      t.fetch('', { method: 'POST', headers: { 'upload-length': '100', ...headers } });

    it('builds Location from an RFC 7239 Forwarded header when the proxy is trusted', async () => {
      const t = await start({ creation: true, trustProxy: true, publicUrl: undefined });
      const response = await post(t, {
        forwarded: 'for=192.0.2.60;proto=https;host=uploads.example.com, for=198.51.100.17',
        'x-forwarded-host': 'ignored.example.com',
      });
      expect(response.status).toBe(201);
      expect(response.headers.get('location')).toMatch(/^https:\/\/uploads\.example\.com\/v1\/uploads\/[\w-]+$/);
    });

    it('falls back to X-Forwarded-* when Forwarded is malformed, and ignores both when the proxy is not trusted', async () => {
      const trusted = await start({ creation: true, trustProxy: true });
      const fallback = await post(trusted, { forwarded: 'for="unterminated', 'x-forwarded-proto': 'https', 'x-forwarded-host': 'x.example' });
      expect(fallback.headers.get('location')).toMatch(/^https:\/\/x\.example\/v1\/uploads\//);
      await trusted.stop();
      const untrusted = await start({ creation: true });
      const ignored = await post(untrusted, { forwarded: 'proto=https;host=uploads.example.com' });
      expect(ignored.headers.get('location')).toMatch(new RegExp(`^${new URL(untrusted.url).origin}/v1/uploads/`));
    });

    it('answers a relative Location with relativeLocation, which a client resolves and uses', async () => {
      const t = await start({ creation: true, relativeLocation: true });
      const response = await post(t, {});
      const location = response.headers.get('location') ?? '';
      expect(location).toMatch(/^\/v1\/uploads\/[\w-]+$/);
      const head = await t.fetch(new URL(location, t.url).href, { method: 'HEAD' });
      expect(head.status).toBe(200);
      expect(head.headers.get('upload-length')).toBe('100');
      const created = await t.tus.createUpload({ size: 100 });
      expect(created.headers.Location).toBe(`/v1/uploads/${created.id}`);
    });
  });
}
