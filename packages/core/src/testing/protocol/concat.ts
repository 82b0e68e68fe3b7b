import { afterAll, beforeAll, expect, it } from 'vitest';
import { isReadableStore } from '../../store.js';
import { randomData, sha256, wavFile } from '../bytes.js';
import { Harness, expectError, type ProtocolSuiteOptions } from './harness.js';

const PATCH_HEADERS = { 'content-type': 'application/offset+octet-stream' };

/** The `concatenation` extension: partial uploads, and final ones the store assembles. */
export function concatenationCases(suite: ProtocolSuiteOptions): void {
  const h = new Harness(suite);
  beforeAll(() => h.start({ creation: true }));
  afterAll(() => h.stop());

  if (suite.concatenation === false) {
    it('is not advertised, and Upload-Concat is refused', async () => {
      const options = await fetch(h.url, { method: 'OPTIONS' });
      expect(options.headers.get('tus-extension')?.split(',')).not.toContain('concatenation');
      const post = await h.fetch('', { method: 'POST', headers: { 'upload-length': '100', 'upload-concat': 'partial' } });
      await expectError(post, 400, 'extension_unsupported');
    });
    return;
  }

  /** Creates a partial upload and uploads `data` into it (in the POST with `withUpload`). */
  async function partial(data: Uint8Array, withUpload = false): Promise<{ id: string; url: string }> {
    const response = await h.fetch('', {
      method: 'POST',
      headers: { 'upload-length': String(data.length), 'upload-concat': 'partial', ...(withUpload && PATCH_HEADERS) },
      ...(withUpload && { body: data }),
    });
    expect(response.status).toBe(201);
    const url = response.headers.get('location') ?? '';
    const id = url.split('/').pop() ?? '';
    if (!withUpload && data.length > 0) await h.upload(id, data);
    return { id, url };
  }

  function final(urls: readonly string[], headers: Record<string, string> = {}) {
    return h.fetch('', { method: 'POST', headers: { 'upload-concat': `final;${urls.join(' ')}`, ...headers } });
  }

  it('is advertised', async () => {
    const response = await fetch(h.url, { method: 'OPTIONS' });
    expect(response.headers.get('tus-extension')?.split(',')).toContain('concatenation');
  });

  it('assembles a final upload from its partial uploads, byte-exact, and reports only the final as complete', async () => {
    const datas = [wavFile(70_000), randomData(5), randomData(0), randomData(40_000)];
    const parts = [await partial(datas[0] as Buffer), await partial(datas[1] as Buffer, true), await partial(datas[2] as Buffer), await partial(datas[3] as Buffer)];
    const head = await h.head(parts[0]?.id ?? '');
    expect(head.headers.get('upload-concat')).toBe('partial');
    expect(head.headers.get('upload-offset')).toBe(String(datas[0]?.length));
    // Absolute URLs and paths alike.
    const urls = parts.map((p, i) => (i % 2 === 0 ? p.url : new URL(p.url).pathname));
    const response = await final(urls, { 'upload-metadata': 'filename d2hvbGUud2F2' });
    expect(response.status).toBe(201);
    const id = response.headers.get('location')?.split('/').pop() ?? '';
    const size = datas.reduce((sum, d) => sum + d.length, 0);
    const finalHead = await h.head(id);
    expect(finalHead.status).toBe(200);
    expect(finalHead.headers.get('upload-concat')).toBe(`final;${parts.map((p) => p.url).join(' ')}`);
    expect(finalHead.headers.get('upload-length')).toBe(String(size));
    expect(finalHead.headers.get('upload-offset')).toBe(String(size));
    expect(finalHead.headers.get('upload-metadata')).toBe('filename d2hvbGUud2F2');
    if (isReadableStore(h.tus.store)) expect(await sha256(await h.tus.store.read(id))).toBe(await sha256(Buffer.concat(datas)));
    const completed = h.calls.filter((c) => c.hook === 'onComplete').map((c) => (c.event.upload as { id: string }).id);
    expect(completed).toContain(id);
    for (const part of parts) expect(completed).not.toContain(part.id);
    expect(h.calls.find((c) => c.hook === 'onMediaDetected' && (c.event.upload as { id: string }).id === id)?.event.media).toMatchObject({ mime: 'audio/wav' });
  });

  it('a PATCH to a final upload is 403', async () => {
    const part = await partial(wavFile(5000));
    const response = await final([part.url]);
    const id = response.headers.get('location')?.split('/').pop() ?? '';
    await expectError(await h.patch(id, 5000, randomData(1)), 403, 'final_upload_immutable');
  });

  it('refuses unfinished, unknown, foreign and non-partial parts, and Upload-Length on a final', async () => {
    const done = await partial(wavFile(5000));
    const unfinished = await h.fetch('', { method: 'POST', headers: { 'upload-length': '100', 'upload-concat': 'partial' } });
    await expectError(await final([done.url, unfinished.headers.get('location') ?? '']), 400, 'concat_unfinished');
    await expectError(await final([done.url, `${h.url}/no-such-upload`]), 404, 'not_found');
    const foreign = new URL(done.url);
    foreign.hostname = 'other.example';
    await expectError(await final([foreign.href]), 400, 'invalid_concat');
    await expectError(await final(['/elsewhere/abc']), 400, 'invalid_concat');
    const plain = await h.create(5000);
    await h.upload(plain.id, wavFile(5000));
    await expectError(await final([plain.url]), 400, 'concat_not_partial');
    await expectError(await final([done.url], { 'upload-length': '5000' }), 400, 'invalid_concat');
    await expectError(await h.fetch('', { method: 'POST', headers: { 'upload-concat': 'whole' } }), 400, 'invalid_concat');
    await expectError(await h.fetch('', { method: 'POST', headers: { 'upload-concat': 'final;' } }), 400, 'invalid_concat');
  });

  it('checks the content rule on the final upload\'s first bytes, not on each part', async () => {
    const text = await partial(Buffer.from('just some text, no media at all, but long enough to be judged by the rule.'));
    const wav = await partial(wavFile(5000));
    const before = h.calls.filter((c) => c.hook === 'onComplete').length;
    await expectError(await final([text.url, wav.url]), 409, 'unsupported_media_type');
    expect(h.calls.filter((c) => c.hook === 'onComplete').length).toBe(before);
    expect(h.calls.some((c) => c.hook === 'onMediaRejected')).toBe(true);
    // The same parts in the other order start with a WAV header: accepted.
    expect((await final([wav.url, text.url])).status).toBe(201);
  });

  it('partial uploads can be terminated, and expire like any other once past their time', async () => {
    const gone = await partial(wavFile(5000));
    expect((await h.fetch(`/${gone.id}`, { method: 'DELETE' })).status).toBe(204);
    await expectError(await final([gone.url]), 404, 'not_found');
    const kept = await partial(wavFile(5000));
    expect((await h.head(kept.id)).headers.get('upload-expires')).toEqual(expect.any(String));
    const reaped = await h.tus.reap(new Date(Date.now() + 30 * 24 * 3600 * 1000));
    expect(reaped).toContain(kept.id);
    expect((await h.head(kept.id)).status).toBe(404);
  });
}
