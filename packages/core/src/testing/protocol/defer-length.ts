import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isListableStore, isLengthDeferringStore, isReadableStore } from '../../store.js';
import { randomData, sha256, wavFile } from '../bytes.js';
import { Harness, expectError, type ProtocolSuiteOptions } from './harness.js';

const DEFER = { 'upload-defer-length': '1' };

/** Skips a case on a store without the capability (the first case checks that it is then not advertised). */
function offered(ctx: { skip: (note?: string) => never }, h: Harness): void {
  if (!isLengthDeferringStore(h.tus.store)) ctx.skip('the store does not take a deferred length');
}

/** The `creation-defer-length` extension, on stores that offer it. */
export function deferLengthCases(suite: ProtocolSuiteOptions): void {
  const h = new Harness(suite);
  beforeAll(() => h.start({ creation: true }));
  afterAll(() => h.stop());

  async function createDeferred(headers: Record<string, string> = {}): Promise<{ id: string; url: string }> {
    const response = await h.fetch('', { method: 'POST', headers: { ...DEFER, ...headers } });
    expect(response.status).toBe(201);
    const url = response.headers.get('location') ?? '';
    return { id: url.split('/').at(-1) ?? '', url };
  }

  it('is advertised only where the store takes a length declared later', async () => {
    const extensions = (await fetch(h.url, { method: 'OPTIONS' })).headers.get('tus-extension')?.split(',');
    if (isLengthDeferringStore(h.tus.store)) expect(extensions).toContain('creation-defer-length');
    else expect(extensions).not.toContain('creation-defer-length');
  });

  describe('where offered', () => {

    it('HEAD answers Upload-Defer-Length until a PATCH declares the length; the upload completes at that length', async (ctx) => {
      offered(ctx, h);
      const data = wavFile(300_000);
      const { id } = await createDeferred();
      let head = await h.head(id);
      expect(head.headers.get('upload-defer-length')).toBe('1');
      expect(head.headers.get('upload-length')).toBeNull();
      expect(head.headers.get('upload-expires')).toMatch(/GMT$/);
      const first = await h.patch(id, 0, data.subarray(0, 100_000));
      expect(first.status).toBe(204);
      expect(first.headers.get('upload-offset')).toBe('100000');
      const detected = h.calls.find((c) => c.hook === 'onMediaDetected' && (c.event.upload as { id: string }).id === id);
      expect(detected?.event.media).toMatchObject({ mime: 'audio/wav' });
      head = await h.head(id);
      expect(head.headers.get('upload-defer-length')).toBe('1');
      expect(head.headers.get('upload-offset')).toBe('100000');
      const last = await h.patch(id, 100_000, data.subarray(100_000), { 'upload-length': String(data.length) });
      expect(last.status).toBe(204);
      expect(last.headers.get('upload-offset')).toBe(String(data.length));
      const complete = await h.waitFor((c) => c.hook === 'onComplete' && (c.event.upload as { id: string }).id === id);
      expect(complete.event.upload).toMatchObject({ size: data.length, offset: data.length, finalized: true });
      head = await h.head(id);
      expect(head.headers.get('upload-length')).toBe(String(data.length));
      expect(head.headers.get('upload-defer-length')).toBeNull();
      expect(head.headers.get('upload-expires')).toBeNull();
      if (isReadableStore(h.tus.store)) expect(await sha256(await h.tus.store.read(id))).toBe(await sha256(data));
    });

    it('an empty PATCH may declare the length once every byte is stored, and completes the upload', async (ctx) => {
      offered(ctx, h);
      const data = wavFile(70_000);
      const { id } = await createDeferred();
      expect((await h.patch(id, 0, data)).status).toBe(204);
      expect(h.calls.some((c) => c.hook === 'onComplete' && (c.event.upload as { id: string }).id === id)).toBe(false);
      const declared = await h.patch(id, data.length, new Uint8Array(), { 'upload-length': String(data.length) });
      expect(declared.status).toBe(204);
      expect(declared.headers.get('upload-offset')).toBe(String(data.length));
      await h.waitFor((c) => c.hook === 'onComplete' && (c.event.upload as { id: string }).id === id);
      if (isReadableStore(h.tus.store)) expect(await sha256(await h.tus.store.read(id))).toBe(await sha256(data));
    });

    it('the length is declared once: the same value again is fine, another is 400 and changes nothing', async (ctx) => {
      offered(ctx, h);
      const data = wavFile(20_000);
      const { id } = await createDeferred();
      expect((await h.patch(id, 0, data.subarray(0, 5000), { 'upload-length': String(data.length) })).status).toBe(204);
      await expectError(await h.patch(id, 5000, data.subarray(5000, 6000), { 'upload-length': '30000' }), 400, 'length_mismatch');
      const head = await h.head(id);
      expect(head.headers.get('upload-length')).toBe(String(data.length));
      expect(head.headers.get('upload-offset')).toBe('5000');
      const rest = await h.patch(id, 5000, data.subarray(5000), { 'upload-length': String(data.length) });
      expect(rest.headers.get('upload-offset')).toBe(String(data.length));
    });

    it('a known length cannot be changed by a PATCH either', async (ctx) => {
      offered(ctx, h);
      const { id } = await h.create(4096);
      await expectError(await h.patch(id, 0, wavFile(4096), { 'upload-length': '5000' }), 400, 'length_mismatch');
      expect((await h.head(id)).headers.get('upload-offset')).toBe('0');
    });

    it('a declared length below the stored offset, or malformed, is 400 and the length stays deferred', async (ctx) => {
      offered(ctx, h);
      const { id } = await createDeferred();
      expect((await h.patch(id, 0, wavFile(4096))).status).toBe(204);
      await expectError(await h.patch(id, 4096, randomData(10), { 'upload-length': '4000' }), 400, 'invalid_length');
      await expectError(await h.patch(id, 4096, randomData(10), { 'upload-length': 'ten' }), 400, 'invalid_length');
      const head = await h.head(id);
      expect(head.headers.get('upload-defer-length')).toBe('1');
      expect(head.headers.get('upload-offset')).toBe('4096');
    });

    it.for<Record<string, string>>([
      { 'upload-defer-length': '2' },
      { 'upload-defer-length': '1', 'upload-length': '100' },
    ])('POST with %o is 400 and creates nothing', async (headers, ctx) => {
      offered(ctx, h);
      const before = h.calls.length;
      await expectError(await h.fetch('', { method: 'POST', headers }), 400, 'invalid_length');
      expect(h.calls.length).toBe(before);
    });

    it('the first bytes are checked like any first chunk: a refused format removes the upload', async (ctx) => {
      offered(ctx, h);
      const { id } = await createDeferred();
      // Text, not random bytes: about one random buffer in 2,500 opens like an MPEG audio frame.
      await expectError(await h.patch(id, 0, Buffer.alloc(5000, 'plain text, no media. ')), 409, 'unsupported_media_type');
      expect((await h.head(id)).status).toBe(404);
    });

    it('creation-with-upload takes the first bytes of a deferred upload', async (ctx) => {
      offered(ctx, h);
      const data = wavFile(10_000);
      const response = await h.fetch('', {
        method: 'POST',
        headers: { ...DEFER, 'content-type': 'application/offset+octet-stream' },
        body: data.subarray(0, 6000),
      });
      expect(response.status).toBe(201);
      expect(response.headers.get('upload-offset')).toBe('6000');
      const id = response.headers.get('location')?.split('/').at(-1) ?? '';
      expect((await h.head(id)).headers.get('upload-defer-length')).toBe('1');
      const last = await h.patch(id, 6000, data.subarray(6000), { 'upload-length': String(data.length) });
      expect(last.headers.get('upload-offset')).toBe(String(data.length));
      if (isReadableStore(h.tus.store)) expect(await sha256(await h.tus.store.read(id))).toBe(await sha256(data));
    });

    it('terminates an upload of deferred length', async (ctx) => {
      offered(ctx, h);
      const { id } = await createDeferred();
      expect((await h.patch(id, 0, wavFile(4096))).status).toBe(204);
      expect((await h.fetch(`/${id}`, { method: 'DELETE' })).status).toBe(204);
      expect((await h.head(id)).status).toBe(404);
      expect(await h.tus.store.open(id)).toBeUndefined();
    });

    it('an idle upload of deferred length expires and is reaped', async (ctx) => {
      if (!isListableStore(h.tus.store)) return ctx.skip();
      offered(ctx, h);
      const { id } = await createDeferred();
      expect((await h.patch(id, 0, wavFile(4096))).status).toBe(204);
      const expires = new Date((await h.head(id)).headers.get('upload-expires') ?? '');
      expect(await h.tus.reap(new Date(expires.getTime() - 60_000))).not.toContain(id);
      expect(await h.tus.reap(new Date(expires.getTime() + 1000))).toContain(id);
      expect((await h.head(id)).status).toBe(404);
    });
  });

  describe('the size limits while the length is unknown', () => {
    const small = new Harness(suite);
    beforeAll(() => small.start({ creation: true, maxSize: 10_000 }));
    afterAll(() => small.stop());

    async function deferred(): Promise<string> {
      const response = await small.fetch('', { method: 'POST', headers: DEFER });
      return response.headers.get('location')?.split('/').at(-1) ?? '';
    }

    it('a body announced past the maximum size is 413 before any byte is read', async (ctx) => {
      offered(ctx, small);
      const id = await deferred();
      await expectError(await small.patch(id, 0, wavFile(12_000)), 413, 'size_too_large');
      expect((await small.head(id)).headers.get('upload-offset')).toBe('0');
    });

    it('a streamed body is cut at the maximum size: 413, and the bytes up to it are kept', async (ctx) => {
      offered(ctx, small);
      const id = await deferred();
      const data = wavFile(12_000);
      const stream = new ReadableStream<Uint8Array>({
        start(controller) {
          controller.enqueue(data.subarray(0, 6000));
          controller.enqueue(data.subarray(6000));
          controller.close();
        },
      });
      const response = await small.fetch(`/${id}`, {
        method: 'PATCH',
        headers: { 'content-type': 'application/offset+octet-stream', 'upload-offset': '0' },
        body: stream,
      });
      await expectError(response, 413, 'size_too_large');
      expect((await small.head(id)).headers.get('upload-offset')).toBe('10000');
    });

    it('a declared length past the maximum size is 413', async (ctx) => {
      offered(ctx, small);
      const id = await deferred();
      await expectError(await small.patch(id, 0, wavFile(100), { 'upload-length': '10001' }), 413, 'size_too_large');
      expect((await small.head(id)).headers.get('upload-defer-length')).toBe('1');
    });
  });
}
