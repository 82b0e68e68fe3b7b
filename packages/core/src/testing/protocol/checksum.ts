import { createHash } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ChecksumAlgorithm, hasherFor } from '../../checksum.js';
import { isReadableStore } from '../../store.js';
import { randomData, sha256, wavFile } from '../bytes.js';
import { API_KEY, Harness, expectError, type ProtocolSuiteOptions } from './harness.js';

const ALGORITHMS = ['sha1', 'sha256', 'md5', 'crc32c'] as const;

function digest(algorithm: ChecksumAlgorithm, bytes: Uint8Array): string {
  if (algorithm === 'crc32c') {
    const hasher = hasherFor(algorithm);
    hasher.update(bytes);
    return hasher.digest().toString('base64');
  }
  return createHash(algorithm).update(bytes).digest('base64');
}

/** The `checksum` and `checksum-trailer` extensions. */
export function checksumCases(suite: ProtocolSuiteOptions): void {
  const h = new Harness(suite);
  beforeAll(() => h.start({ creation: true }));
  afterAll(() => h.stop());
  const offsetOf = async (id: string) => (await h.head(id)).headers.get('upload-offset');

  it('is advertised with its algorithms', async () => {
    const response = await fetch(h.url, { method: 'OPTIONS' });
    expect(response.headers.get('tus-extension')?.split(',')).toEqual(expect.arrayContaining(['checksum', 'checksum-trailer']));
    expect(response.headers.get('tus-checksum-algorithm')).toBe('sha1,sha256,md5,crc32c');
  });

  it.each(ALGORITHMS)('%s: a matching PATCH counts; a mismatching one is 460 and leaves the offset as it was', async (algorithm) => {
    const first = wavFile(8192);
    const second = randomData(5000);
    const { id } = await h.create(first.length + second.length);
    const ok = await h.patch(id, 0, first, { 'upload-checksum': `${algorithm} ${digest(algorithm, first)}` });
    expect(ok.status).toBe(204);
    expect(ok.headers.get('upload-offset')).toBe(String(first.length));
    const corrupted = Buffer.from(second);
    corrupted.writeUInt8(corrupted.readUInt8(100) ^ 0xff, 100);
    const bad = await h.patch(id, first.length, corrupted, { 'upload-checksum': `${algorithm} ${digest(algorithm, second)}` });
    await expectError(bad, 460, 'checksum_mismatch');
    expect(await offsetOf(id)).toBe(String(first.length));
    const retry = await h.patch(id, first.length, second, { 'upload-checksum': `${algorithm} ${digest(algorithm, second)}` });
    expect(retry.headers.get('upload-offset')).toBe(String(first.length + second.length));
    if (isReadableStore(h.tus.store)) expect(await sha256(await h.tus.store.read(id))).toBe(await sha256(Buffer.concat([first, second])));
  });

  it('a mismatching first PATCH stores nothing and keeps the upload', async () => {
    const data = wavFile(4096);
    const { id } = await h.create(data.length);
    await expectError(await h.patch(id, 0, data, { 'upload-checksum': `sha1 ${digest('sha1', randomData(10))}` }), 460, 'checksum_mismatch');
    const head = await h.head(id);
    expect(head.status).toBe(200);
    expect(head.headers.get('upload-offset')).toBe('0');
  });

  it('creation-with-upload checks the checksum too', async () => {
    const data = wavFile(4096);
    const post = (checksum: string) =>
      h.fetch('', {
        method: 'POST',
        headers: { 'upload-length': '8192', 'content-type': 'application/offset+octet-stream', 'upload-checksum': checksum },
        body: data,
      });
    await expectError(await post(`md5 ${digest('md5', randomData(1))}`), 460, 'checksum_mismatch');
    const ok = await post(`md5 ${digest('md5', data)}`);
    expect(ok.status).toBe(201);
    expect(ok.headers.get('upload-offset')).toBe('4096');
  });

  it.each([
    ['sha512 AAAA', 400, 'checksum_algorithm_unsupported'],
    ['sha1', 400, 'invalid_checksum'],
    ['sha1 not!base64', 400, 'invalid_checksum'],
    ['sha1 AAAA BBBB', 400, 'invalid_checksum'],
  ] as const)('Upload-Checksum %j is %i %s before any byte is stored', async (value, status, code) => {
    const data = wavFile(4096);
    const { id } = await h.create(data.length);
    await expectError(await h.patch(id, 0, data, { 'upload-checksum': value }), status, code);
    expect(await offsetOf(id)).toBe('0');
  });

  it('a checksummed PATCH cut off midway keeps none of its bytes', async () => {
    const data = wavFile(256 * 1024);
    const { id } = await h.create(data.length);
    const { req, response } = h.rawPatch(id, 0, data.length, { 'upload-checksum': `sha256 ${digest('sha256', data)}` });
    req.write(data.subarray(0, 128 * 1024));
    await h.waitFor((c) => c.hook === 'onProgress' && (c.event.upload as { id: string }).id === id);
    req.destroy();
    await response;
    expect(await offsetOf(id)).toBe('0');
    expect((await h.patch(id, 0, data, { 'upload-checksum': `sha256 ${digest('sha256', data)}` })).status).toBe(204);
  });

  describe('in a trailer', () => {
    /** A chunked PATCH whose Upload-Checksum comes after the body. */
    const trailerPatch = (id: string, offset: number, body: Uint8Array, checksum: string) =>
      new Promise<{ status: number; body: string; offset: string | undefined }>((resolve, reject) => {
        const url = new URL(`${h.url}/${id}`);
        const req = httpRequest({
          host: url.hostname,
          port: url.port,
          path: url.pathname,
          method: 'PATCH',
          headers: {
            authorization: `Bearer ${API_KEY}`,
            'tus-resumable': '1.0.0',
            'content-type': 'application/offset+octet-stream',
            'upload-offset': String(offset),
            'transfer-encoding': 'chunked',
            trailer: 'Upload-Checksum',
          },
        });
        req.on('response', (res) => {
          let text = '';
          res.on('data', (chunk: Buffer) => (text += chunk.toString()));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text, offset: res.headers['upload-offset'] as string | undefined }));
        });
        req.on('error', reject);
        req.write(body.subarray(0, 1000));
        req.write(body.subarray(1000));
        req.addTrailers({ 'Upload-Checksum': checksum });
        req.end();
      });

    if (suite.readsTrailers === false) {
      it('is refused with 400 by a framework that cannot read trailers', async () => {
        const data = wavFile(4096);
        const { id } = await h.create(data.length);
        const answer = await trailerPatch(id, 0, data, `sha1 ${digest('sha1', data)}`);
        expect(answer.status).toBe(400);
        expect(JSON.parse(answer.body)).toMatchObject({ error: { code: 'extension_unsupported' } });
        expect(await offsetOf(id)).toBe('0');
      });
      return;
    }

    it.each(ALGORITHMS)('%s: a matching trailer counts, a mismatching one is 460 with the offset unchanged', async (algorithm) => {
      const data = wavFile(6000);
      const { id } = await h.create(data.length);
      const bad = await trailerPatch(id, 0, data, `${algorithm} ${digest(algorithm, randomData(6000))}`);
      expect(bad.status).toBe(460);
      expect(await offsetOf(id)).toBe('0');
      const ok = await trailerPatch(id, 0, data, `${algorithm} ${digest(algorithm, data)}`);
      expect(ok).toMatchObject({ status: 204, offset: '6000' });
      if (isReadableStore(h.tus.store)) expect(await sha256(await h.tus.store.read(id))).toBe(await sha256(data));
    });
  });
}
