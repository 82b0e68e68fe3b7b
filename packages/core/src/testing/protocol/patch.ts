import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isReadableStore } from '../../store.js';
import { randomData, sha256, wavFile } from '../bytes.js';
import { Harness, expectError, type ProtocolSuiteOptions } from './harness.js';
import { FIXTURES_DIR } from '../fixtures.js';

const MEDIA = [
  ['audio.m4a', 'audio', 'audio/x-m4a', 'm4a'],
  ['audio.mp3', 'audio', 'audio/mpeg', 'mp3'],
  ['audio.ogg', 'audio', 'audio/ogg', 'ogg'],
  ['audio.wav', 'audio', 'audio/wav', 'wav'],
  ['video.mp4', 'video', 'video/mp4', 'mp4'],
  ['video.webm', 'video', 'video/webm', 'webm'],
] as const;
const NOT_MEDIA = ['document.pdf', 'image.png', 'notes.txt', 'random.bin', 'zeros.bin'] as const;

function streamOf(...chunks: Uint8Array[]): ReadableStream<Uint8Array> {
  return new ReadableStream({
    pull(controller) {
      const next = chunks.shift();
      if (next) controller.enqueue(next);
      else controller.close();
    },
  });
}

/** Every PATCH row of the spec, and first-chunk validation over the fixtures. */
export function patchCases(suite: ProtocolSuiteOptions): void {
  const h = new Harness(suite);
  beforeAll(() => h.start());
  afterAll(() => h.stop());
  const fixture = (dir: string, name: string) => readFileSync(join(suite.fixturesDir ?? FIXTURES_DIR, dir, name));

  describe('PATCH errors, in order', () => {
    it('a wrong Content-Type is 415', async () => {
      const { id } = await h.create(100);
      const response = await h.patch(id, 0, wavFile(100), { 'content-type': 'application/octet-stream' });
      await expectError(response, 415, 'unsupported_content_type');
    });

    it.each([null, '-1', '1.5', 'abc', '1e3', '0x0', '+0', '9007199254740993', '0, 0'])(
      'Upload-Offset %s is 400',
      async (offset) => {
        const { id } = await h.create(100);
        const response = await h.patch(id, 0, wavFile(100), { 'upload-offset': offset });
        await expectError(response, 400, 'invalid_offset');
      },
    );

    it('an Upload-Offset other than the stored one is 409', async () => {
      const { id } = await h.create(200);
      await expectError(await h.patch(id, 10, wavFile(100)), 409, 'offset_mismatch');
      await h.upload(id, wavFile(200).subarray(0, 100));
      await expectError(await h.patch(id, 0, wavFile(100)), 409, 'offset_mismatch');
      expect((await h.head(id)).headers.get('upload-offset')).toBe('100');
    });

    it('a Content-Length past Upload-Length is 413 and stores nothing', async () => {
      const { id } = await h.create(100);
      await expectError(await h.patch(id, 0, wavFile(101)), 413, 'length_exceeded');
      expect((await h.head(id)).headers.get('upload-offset')).toBe('0');
    });

    it('a chunked body past Upload-Length is cut at the length with 413', async () => {
      const data = wavFile(300);
      const { id } = await h.create(200);
      const response = await h.patch(id, 0, streamOf(data.subarray(0, 150), data.subarray(150)) as never);
      await expectError(response, 413, 'length_exceeded');
      const head = await h.head(id);
      expect(head.headers.get('upload-offset')).toBe('200');
      if (isReadableStore(h.tus.store)) {
        expect(await sha256(await h.tus.store.read(id))).toBe(await sha256(data.subarray(0, 200)));
      }
    });

    it('a first PATCH shorter than 64 bytes is 400 and stores nothing', async () => {
      const { id } = await h.create(1000);
      await expectError(await h.patch(id, 0, wavFile(63)), 400, 'first_chunk_too_short');
      const head = await h.head(id);
      expect(head.status).toBe(200);
      expect(head.headers.get('upload-offset')).toBe('0');
    });
  });

  describe('first-chunk validation', () => {
    it.each(NOT_MEDIA)('rejects %s with 409, removes the upload and tells the host', async (name) => {
      const bytes = fixture('not-media', name);
      const { id } = await h.create(bytes.length);
      const response = await h.patch(id, 0, bytes);
      await expectError(response, 409, 'unsupported_media_type');
      expect((await h.head(id)).status).toBe(404);
      expect(await h.tus.store.open(id)).toBeUndefined();
      const call = await h.waitFor((c) => c.hook === 'onMediaRejected' && (c.event.upload as { id: string }).id === id);
      suite.expectContext?.(call.event.context);
    });

    it.each(MEDIA)('accepts %s as %s (%s) and stores it byte-exact', async (name, type, mime, ext) => {
      const bytes = fixture('media', name);
      const { id } = await h.create(bytes.length);
      const response = await h.patch(id, 0, bytes);
      expect(response.status).toBe(204);
      expect(response.headers.get('upload-offset')).toBe(String(bytes.length));
      expect(response.headers.get('upload-expires')).toBeNull();
      const head = await h.head(id);
      expect(head.headers.get('upload-offset')).toBe(String(bytes.length));
      expect(head.headers.get('upload-expires')).toBeNull();
      const detected = await h.waitFor((c) => c.hook === 'onMediaDetected' && (c.event.upload as { id: string }).id === id);
      expect(detected.event.media).toEqual({ type, mime, ext });
      suite.expectContext?.(detected.event.context);
      const completed = await h.waitFor((c) => c.hook === 'onComplete' && (c.event.upload as { id: string }).id === id);
      expect(completed.event.object).toMatchObject({ size: bytes.length, location: expect.any(String) });
      expect((await h.tus.store.open(id))?.info.media).toEqual({ type, mime, ext });
      if (isReadableStore(h.tus.store)) expect(await sha256(await h.tus.store.read(id))).toBe(await sha256(bytes));
    });

    it.each(['video.mp4', 'video.webm', 'audio.mp3'])('accepts %s sent in 1000-byte PATCHes', async (name) => {
      const bytes = fixture('media', name);
      const { id } = await h.create(bytes.length);
      await h.upload(id, bytes, 1000);
      expect((await h.head(id)).headers.get('upload-offset')).toBe(String(bytes.length));
      if (isReadableStore(h.tus.store)) expect(await sha256(await h.tus.store.read(id))).toBe(await sha256(bytes));
    });

    it('streams a chunked body and refreshes Upload-Expires to now + 48 h', async () => {
      const data = wavFile(256 * 1024);
      const { id } = await h.create(data.length * 2);
      const before = Date.now();
      const response = await h.patch(id, 0, streamOf(data.subarray(0, 10), data.subarray(10)) as never);
      expect(response.status).toBe(204);
      expect(response.headers.get('upload-offset')).toBe(String(data.length));
      const expires = Date.parse(response.headers.get('upload-expires') ?? '');
      const idle = 48 * 3600 * 1000;
      expect(expires).toBeGreaterThanOrEqual(Math.floor((before + idle) / 1000) * 1000);
      expect(expires).toBeLessThanOrEqual(Date.now() + idle);
      const rest = randomData(data.length);
      expect((await h.patch(id, data.length, rest)).status).toBe(204);
      if (isReadableStore(h.tus.store)) {
        expect(await sha256(await h.tus.store.read(id))).toBe(await sha256(Buffer.concat([data, rest])));
      }
    });

    it('a PATCH to a complete upload with bytes is 413', async () => {
      const bytes = fixture('media', 'audio.ogg');
      const { id } = await h.create(bytes.length);
      await h.upload(id, bytes);
      await expectError(await h.patch(id, bytes.length, new Uint8Array(10)), 413, 'length_exceeded');
    });
  });

  describe('a host acceptance rule', () => {
    const only = new Harness(suite);
    beforeAll(() => only.start({ accept: ['video/*'] }));
    afterAll(() => only.stop());

    it('refuses audio when only video is allowed', async () => {
      const bytes = fixture('media', 'audio.mp3');
      const { id } = await only.create(bytes.length);
      await expectError(await only.patch(id, 0, bytes), 409, 'unsupported_media_type');
      expect((await only.head(id)).status).toBe(404);
    });
  });

  describe('no content rule (accept: false)', () => {
    const any = new Harness(suite);
    beforeAll(() => any.start({ accept: false }));
    afterAll(() => any.stop());

    it.each([...NOT_MEDIA, 'video.mp4'])('stores %s byte-exact, in 100-byte PATCHes', async (name) => {
      const bytes = fixture(name === 'video.mp4' ? 'media' : 'not-media', name);
      const { id } = await any.create(bytes.length);
      await any.upload(id, bytes, 100);
      expect((await any.head(id)).headers.get('upload-offset')).toBe(String(bytes.length));
      expect((await any.tus.store.open(id))?.info.media).toBeUndefined();
      const completed = await any.waitFor((c) => c.hook === 'onComplete' && (c.event.upload as { id: string }).id === id);
      expect(completed.event.object).toMatchObject({ size: bytes.length });
      if (isReadableStore(any.tus.store)) expect(await sha256(await any.tus.store.read(id))).toBe(await sha256(bytes));
    });

    it('takes uploads of 1 byte and of 0 bytes; Upload-Length 0 is complete at once', async () => {
      const one = await any.create(1);
      const response = await any.patch(one.id, 0, new Uint8Array([42]));
      expect(response.status).toBe(204);
      expect(response.headers.get('upload-offset')).toBe('1');
      const empty = await any.create(0);
      const head = await any.head(empty.id);
      expect(head.status).toBe(200);
      expect(head.headers.get('upload-offset')).toBe('0');
      expect(head.headers.get('upload-length')).toBe('0');
      expect(head.headers.get('upload-expires')).toBeNull();
      const completed = await any.waitFor((c) => c.hook === 'onComplete' && (c.event.upload as { id: string }).id === empty.id);
      expect(completed.event.object).toMatchObject({ size: 0 });
      expect((await any.tus.store.open(empty.id))?.info).toMatchObject({ offset: 0, size: 0, finalized: true });
    });
  });

  describe('a type list and a predicate beyond media', () => {
    const pdf = new Harness(suite);
    const text = new Harness(suite);
    const isText = (head: Uint8Array) => head.every((b) => b === 9 || b === 10 || b === 13 || (b >= 32 && b < 127));
    beforeAll(async () => {
      await pdf.start({ accept: ['application/pdf', 'image/*'] });
      await text.start({ accept: ({ format, head }) => format === undefined && isText(head), minSize: 1 });
    });
    afterAll(async () => {
      await pdf.stop();
      await text.stop();
    });

    it.each([
      ['document.pdf', 'application', 'application/pdf', 'pdf'],
      ['image.png', 'image', 'image/png', 'png'],
    ])('a list accepts %s and stores its format', async (name, type, mime, ext) => {
      const bytes = fixture('not-media', name);
      const { id } = await pdf.create(bytes.length);
      expect((await pdf.patch(id, 0, bytes)).status).toBe(204);
      expect((await pdf.tus.store.open(id))?.info.media).toEqual({ type, mime, ext });
    });

    it('a list refuses what it does not name, and an upload of no known format', async () => {
      for (const [dir, name] of [['media', 'audio.mp3'], ['not-media', 'notes.txt']] as const) {
        const bytes = fixture(dir, name);
        const { id } = await pdf.create(bytes.length);
        await expectError(await pdf.patch(id, 0, bytes), 409, 'unsupported_media_type');
        expect((await pdf.head(id)).status).toBe(404);
      }
    });

    it('a predicate sees the head bytes: text passes, random bytes and media do not', async () => {
      const notes = fixture('not-media', 'notes.txt');
      const accepted = await text.create(notes.length);
      expect((await text.patch(accepted.id, 0, notes)).status).toBe(204);
      expect((await text.tus.store.open(accepted.id))?.info.media).toBeUndefined();
      const short = await text.create(5);
      expect((await text.patch(short.id, 0, Buffer.from('hello'))).status).toBe(204);
      for (const [dir, name] of [['not-media', 'random.bin'], ['media', 'audio.wav']] as const) {
        const bytes = fixture(dir, name);
        const { id } = await text.create(bytes.length);
        await expectError(await text.patch(id, 0, bytes), 409, 'unsupported_media_type');
      }
    });

    it('minSize is the host\'s: 64 by default with a rule, any value when set', async () => {
      await expect(pdf.tus.createUpload({ size: 63, origin: 'http://x' })).rejects.toMatchObject({ code: 'size_too_small' });
      await expect(text.tus.createUpload({ size: 0, origin: 'http://x' })).rejects.toMatchObject({ code: 'size_too_small' });
      await expect(text.tus.createUpload({ size: 1, origin: 'http://x' })).resolves.toBeDefined();
    });
  });
}
