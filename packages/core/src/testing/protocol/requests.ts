import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryStore } from '../../memory-store.js';
import { isLengthDeferringStore, isReadableStore, type DataStore } from '../../store.js';
import { randomData, sha256, wavFile } from '../bytes.js';
import { API_KEY, Harness, expectError, type ProtocolSuiteOptions } from './harness.js';

/** OPTIONS, HEAD, DELETE, the error order before PATCH, creation and expiry. */
export function requestCases(suite: ProtocolSuiteOptions): void {
  const h = new Harness(suite);
  beforeAll(() => h.start());
  afterAll(() => h.stop());

  describe('OPTIONS', () => {
    it.each(['', '/some-id'])('answers OPTIONS %s without credentials', async (path) => {
      const response = await fetch(`${h.url}${path}`, { method: 'OPTIONS' });
      expect(response.status).toBe(204);
      expect(response.headers.get('tus-resumable')).toBe('1.0.0');
      expect(response.headers.get('tus-version')).toBe('1.0.0');
      expect(response.headers.get('tus-extension')).toBe('termination,checksum,checksum-trailer,expiration');
      expect(response.headers.get('tus-max-size')).toBe(String(50 * 1024 ** 3));
    });

    it('answers a CORS preflight', async () => {
      const response = await fetch(`${h.url}/x1`, {
        method: 'OPTIONS',
        headers: {
          origin: 'https://app.example',
          'access-control-request-method': 'PATCH',
          'access-control-request-headers': 'upload-offset, tus-resumable, authorization',
        },
      });
      expect(response.status).toBe(204);
      expect(response.headers.get('access-control-allow-origin')).toBe('*');
      expect(response.headers.get('access-control-allow-methods')).toContain('PATCH');
      expect(response.headers.get('access-control-allow-headers')).toMatch(/Upload-Offset/);
      expect(response.headers.get('access-control-expose-headers')).toMatch(/Upload-Offset/);
    });
  });

  describe('errors before the upload is touched', () => {
    it.each(['HEAD', 'PATCH', 'DELETE'])('%s without credentials is 401, checked before Tus-Resumable', async (method) => {
      const { id } = await h.create(100);
      const response = await h.fetch(`/${id}`, { method, headers: { authorization: null, 'tus-resumable': null } });
      expect(response.status).toBe(401);
      if (method !== 'HEAD') await expectError(response, 401, 'unauthorized');
    });

    it.each([null, '0.2.2', '1.0'])('Tus-Resumable %s is 412 with Tus-Version', async (version) => {
      const { id } = await h.create(100);
      const response = await h.fetch(`/${id}`, { method: 'DELETE', headers: { 'tus-resumable': version } });
      expect(response.headers.get('tus-version')).toBe('1.0.0');
      await expectError(response, 412, 'unsupported_version');
      expect((await h.head(id)).status).toBe(200);
    });

    it.each(['..%2F..%2Fetc%2Fpasswd', '..%2f', 'a.b', '%00', 'x'.repeat(129), 'a%20b', 'a;b'])(
      'an id of the wrong form (%s) is 404 and never reaches the store',
      async (id) => {
        const open = h.tus.store.open.bind(h.tus.store);
        const seen: string[] = [];
        h.tus.store.open = async (i) => (seen.push(i), open(i));
        try {
          for (const method of ['HEAD', 'PATCH', 'DELETE']) {
            const response = await h.fetch(`/${id}`, { method });
            expect(response.status).toBe(404);
          }
        } finally {
          h.tus.store.open = open;
        }
        expect(seen).toEqual([]);
      },
    );

    it('a path outside the base path is 404', async () => {
      const origin = new URL(h.url).origin;
      const response = await fetch(`${origin}/v1/elsewhere/abc`, {
        method: 'DELETE',
        headers: { authorization: `Bearer ${API_KEY}`, 'tus-resumable': '1.0.0' },
      });
      expect(response.status).toBe(404);
    });

    it('an unknown upload is 404 on HEAD and PATCH', async () => {
      expect((await h.head('unknown-upload')).status).toBe(404);
      await expectError(await h.patch('unknown-upload', 0, new Uint8Array(64)), 404, 'not_found');
    });

    it('GET is 405 with Allow', async () => {
      const { id } = await h.create(100);
      const response = await h.fetch(`/${id}`, { method: 'GET' });
      expect(response.headers.get('allow')).toContain('PATCH');
      await expectError(response, 405, 'method_not_allowed');
    });

    it('POST is 405 while the creation extension is off', async () => {
      await expectError(await h.fetch('', { method: 'POST', headers: { 'upload-length': '100' } }), 405, 'method_not_allowed');
    });
  });

  describe('X-HTTP-Method-Override', () => {
    const post = (id: string, method: string, headers: Record<string, string> = {}, body?: Uint8Array) =>
      h.fetch(`/${id}`, { method: 'POST', headers: { 'x-http-method-override': method, ...headers }, ...(body && { body }) });

    it('POST overridden to PATCH writes the bytes like a PATCH', async () => {
      const data = wavFile(4096);
      const { id } = await h.create(data.length * 2);
      const patchHeaders = { 'content-type': 'application/offset+octet-stream', 'upload-offset': '0' };
      const response = await post(id, 'PATCH', patchHeaders, data);
      expect(response.status).toBe(204);
      expect(response.headers.get('upload-offset')).toBe(String(data.length));
      await expectError(await post(id, 'PATCH', patchHeaders, data), 409, 'offset_mismatch');
      expect((await h.head(id)).headers.get('upload-offset')).toBe(String(data.length));
    });

    it('POST overridden to HEAD reports the offset like a HEAD', async () => {
      const { id } = await h.create(777);
      const response = await post(id, 'head');
      expect(response.status).toBe(200);
      expect(response.headers.get('upload-offset')).toBe('0');
      expect(response.headers.get('upload-length')).toBe('777');
      expect(response.headers.get('cache-control')).toBe('no-store');
    });

    it('POST overridden to DELETE terminates like a DELETE', async () => {
      const { id } = await h.create(100);
      expect((await post(id, 'DELETE')).status).toBe(204);
      expect((await h.head(id)).status).toBe(404);
      expect(await h.tus.store.open(id)).toBeUndefined();
    });

    it('an override to a method the server does not answer is 405', async () => {
      const { id } = await h.create(100);
      await expectError(await post(id, 'GET'), 405, 'method_not_allowed');
      expect((await h.head(id)).status).toBe(200);
    });
  });

  describe('HEAD', () => {
    it('reports a new upload with offset, length, expiry and no-store', async () => {
      const before = Date.now();
      const { id } = await h.create(12_345, { filename: 'take 1.mp4' });
      const response = await h.head(id);
      expect(response.status).toBe(200);
      expect(response.headers.get('upload-offset')).toBe('0');
      expect(response.headers.get('upload-length')).toBe('12345');
      expect(response.headers.get('cache-control')).toBe('no-store');
      expect(response.headers.get('upload-metadata')).toBe(`filename ${Buffer.from('take 1.mp4').toString('base64')}`);
      const expires = response.headers.get('upload-expires') ?? '';
      expect(expires).toMatch(/^[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT$/);
      const week = 7 * 24 * 3600 * 1000;
      expect(Date.parse(expires)).toBeGreaterThanOrEqual(Math.floor((before + week) / 1000) * 1000);
      expect(Date.parse(expires)).toBeLessThanOrEqual(Date.now() + week);
    });
  });

  describe('DELETE', () => {
    it('terminates an upload, then answers 204 again, and the id is gone', async () => {
      const { id } = await h.create(100);
      expect((await h.fetch(`/${id}`, { method: 'DELETE' })).status).toBe(204);
      expect((await h.head(id)).status).toBe(404);
      expect(await h.tus.store.open(id)).toBeUndefined();
      expect((await h.fetch(`/${id}`, { method: 'DELETE' })).status).toBe(204);
      expect((await h.fetch('/never-existed', { method: 'DELETE' })).status).toBe(204);
      const call = await h.waitFor((c) => c.hook === 'onTerminated' && (c.event.upload as { id: string }).id === id);
      suite.expectContext?.(call.event.context);
    });
  });
}

/** Expiration and the optional creation extension, each on its own engine. */
export function lifecycleCases(suite: ProtocolSuiteOptions): void {
  describe('expiration', () => {
    const h = new Harness(suite);
    beforeAll(() => h.start({ uploadTtlMs: 0 }));
    afterAll(() => h.stop());

    it('an expired upload not yet reaped is 410 on HEAD and PATCH, and DELETE still works', async () => {
      const { id } = await h.create(100);
      expect((await h.head(id)).status).toBe(410);
      await expectError(await h.patch(id, 0, new Uint8Array(100)), 410, 'expired');
      expect((await h.fetch(`/${id}`, { method: 'DELETE' })).status).toBe(204);
      expect((await h.head(id)).status).toBe(404);
    });

    it('the reaper removes expired uploads and tells the host', async () => {
      const { id } = await h.create(100);
      expect(await h.tus.reap()).toContain(id);
      expect(await h.tus.store.open(id)).toBeUndefined();
      expect(h.calls.some((c) => c.hook === 'onExpired' && (c.event.upload as { id: string }).id === id)).toBe(true);
    });
  });

  describe('reaping', () => {
    const h = new Harness(suite);
    beforeAll(() => h.start());
    afterAll(() => h.stop());
    const later = () => new Date(Date.now() + 30 * 24 * 3600 * 1000);

    it('never removes an upload that a PATCH is writing, nor a completed one', async () => {
      const data = wavFile(256 * 1024);
      const active = await h.create(data.length);
      const done = await h.create(data.length);
      const idle = await h.create(data.length);
      await h.upload(done.id, data);
      const { req, response } = h.rawPatch(active.id, 0, data.length);
      req.write(data.subarray(0, 64 * 1024));
      await h.waitFor((c) => c.hook === 'onProgress' && (c.event.upload as { id: string }).id === active.id);
      const reaped = await h.tus.reap(later());
      expect(reaped).toContain(idle.id);
      expect(reaped).not.toContain(active.id);
      expect(reaped).not.toContain(done.id);
      req.end(data.subarray(64 * 1024));
      expect(await response).toMatchObject({ status: 204 });
      expect(await h.tus.reap(later())).not.toContain(active.id);
      expect((await h.head(active.id)).headers.get('upload-offset')).toBe(String(data.length));
      expect((await h.head(done.id)).status).toBe(200);
      expect((await h.head(idle.id)).status).toBe(404);
    });
  });

  describe('creation extension', () => {
    const h = new Harness(suite);
    beforeAll(() => h.start({ creation: true }));
    afterAll(() => h.stop());

    it('is advertised and creates uploads with an absolute Location', async () => {
      const options = await fetch(h.url, { method: 'OPTIONS' });
      const deferring = isLengthDeferringStore(h.tus.store) ? ['creation-defer-length'] : [];
      const concatenation = suite.concatenation === false ? [] : ['concatenation'];
      const extensions = ['creation', 'creation-with-upload', ...deferring, 'termination', 'checksum', 'checksum-trailer', 'expiration', ...concatenation];
      expect(options.headers.get('tus-extension')).toBe(extensions.join(','));
      const response = await h.fetch('', {
        method: 'POST',
        headers: { 'upload-length': '1000', 'upload-metadata': `name ${Buffer.from('a.wav').toString('base64')}` },
      });
      expect(response.status).toBe(201);
      const location = response.headers.get('location') ?? '';
      expect(location).toMatch(new RegExp(`^http://[^/]+/v1/uploads/[0-9a-f-]{36}$`));
      expect(response.headers.get('upload-expires')).toMatch(/GMT$/);
      const head = await h.fetch(location, { method: 'HEAD' });
      expect(head.headers.get('upload-length')).toBe('1000');
    });

    it.each([
      [{}, 400, 'invalid_length'],
      [{ 'upload-length': '-1' }, 400, 'invalid_length'],
      [{ 'upload-length': '63' }, 400, 'size_too_small'],
      [{ 'upload-length': String(50 * 1024 ** 3 + 1) }, 413, 'size_too_large'],
      [{ 'upload-length': '100', 'upload-metadata': 'bad key value' }, 400, 'invalid_metadata'],
    ] as const)('refuses %j with %i', async (headers, status, code) => {
      await expectError(await h.fetch('', { method: 'POST', headers }), status, code);
    });

    it('creation-with-upload: a POST with the first bytes answers 201 with Upload-Offset', async () => {
      const data = wavFile(3000);
      const response = await h.fetch('', {
        method: 'POST',
        headers: { 'upload-length': '5000', 'content-type': 'application/offset+octet-stream' },
        body: data,
      });
      expect(response.status).toBe(201);
      expect(response.headers.get('upload-offset')).toBe('3000');
      const location = response.headers.get('location') ?? '';
      expect((await h.fetch(location, { method: 'HEAD' })).headers.get('upload-offset')).toBe('3000');
      const id = location.split('/').pop() ?? '';
      const rest = randomData(2000);
      expect((await h.patch(id, 3000, rest)).headers.get('upload-offset')).toBe('5000');
      if (isReadableStore(h.tus.store)) expect(await sha256(await h.tus.store.read(id))).toBe(await sha256(Buffer.concat([data, rest])));
    });

    it('creation-with-upload runs first-chunk validation: a refused format is 409 and leaves nothing', async () => {
      const before = h.calls.filter((c) => c.hook === 'onMediaRejected').length;
      const response = await h.fetch('', {
        method: 'POST',
        headers: { 'upload-length': '5000', 'content-type': 'application/offset+octet-stream' },
        // Text, not random bytes: about one random buffer in 2,500 opens like an MPEG audio frame.
        body: Buffer.alloc(5000, 'plain text, no media. '),
      });
      await expectError(response, 409, 'unsupported_media_type');
      const rejected = h.calls.filter((c) => c.hook === 'onMediaRejected');
      expect(rejected.length).toBe(before + 1);
      const id = (rejected.at(-1)?.event.upload as { id: string }).id;
      expect(await h.tus.store.open(id)).toBeUndefined();
    });

    it('a POST body of another type is 415 and creates nothing', async () => {
      const created = h.calls.length;
      const response = await h.fetch('', {
        method: 'POST',
        headers: { 'upload-length': '5000', 'content-type': 'application/json' },
        body: Buffer.from('{"a":1}'),
      });
      await expectError(response, 415, 'unsupported_content_type');
      expect(h.calls.length).toBe(created);
    });
  });
}

/** Requests that rely on what the server does not offer are refused, never half honoured. */
export function unofferedCases(suite: ProtocolSuiteOptions): void {
  const h = new Harness(suite);
  // A store with none of the optional capabilities: the server offers none of their extensions.
  beforeAll(async () => {
    const store = await (suite.createStore?.() ?? new MemoryStore());
    const plain: DataStore = { create: (upload) => store.create(upload), open: (id) => store.open(id) };
    await h.start({ creation: true, store: plain });
  });
  afterAll(() => h.stop());

  it.each([
    ['upload-concat', 'partial'],
    ['upload-defer-length', '1'],
  ])('%s when its extension is off is 400 on POST and PATCH, and nothing changes', async (name, value) => {
    const post = await h.fetch('', { method: 'POST', headers: { 'upload-length': '100', [name]: value } });
    await expectError(post, 400, 'extension_unsupported');
    const { id } = await h.create(4096);
    await expectError(await h.patch(id, 0, wavFile(4096), { [name]: value }), 400, 'extension_unsupported');
    expect((await h.head(id)).headers.get('upload-offset')).toBe('0');
  });
}
