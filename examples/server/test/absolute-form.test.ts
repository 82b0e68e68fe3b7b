// Request targets in absolute form (RFC 9112 §3.2.2) are routed like origin-form ones, and a target
// that is not a valid URL is a client error answered 400 without a log line.
import { request as rawRequest } from 'node:http';
import { wavFile } from '@tuskit/core/testing';
import { describe, expect, it } from 'vitest';
import { expectReadyUpload } from './support/outcomes.js';
import { FRAMEWORK_NAMES, suiteServer } from './support/server.js';

/** One request with the given request target, sent verbatim. */
function send(
  port: number,
  method: string,
  target: string,
  headers: Record<string, string>,
  body?: Uint8Array,
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; text: string }> {
  return new Promise((resolve, reject) => {
    const req = rawRequest({ host: '127.0.0.1', port, method, path: target, headers, agent: false }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

for (const framework of FRAMEWORK_NAMES) {
  describe(`absolute-form request targets on ${framework}`, () => {
    const t = suiteServer(framework);
    const tusHeaders = () => ({ authorization: `Bearer ${t.api.apiKey}`, 'tus-resumable': '1.0.0' });

    it('OPTIONS, PATCH and HEAD on http://host/v1/uploads/… reach the TUS handler and the upload completes', async () => {
      const data = wavFile(96 * 1024);
      const { asset, location } = await t.api.createAsset(t.project.id, data.length);
      const absolute = location.replace('127.0.0.1', 'uploads.example');

      const options = await send(t.server.port, 'OPTIONS', absolute.replace(/\/[^/]+$/, ''), {});
      expect(options.status).toBe(204);
      expect(options.headers['tus-version']).toBe('1.0.0');

      const patch = await send(
        t.server.port,
        'PATCH',
        absolute,
        { ...tusHeaders(), 'upload-offset': '0', 'content-type': 'application/offset+octet-stream' },
        data,
      );
      expect(patch.status).toBe(204);
      expect(patch.headers['upload-offset']).toBe(String(data.length));

      const head = await send(t.server.port, 'HEAD', absolute, tusHeaders());
      expect(head.status).toBe(200);
      expect(head.headers['tus-resumable']).toBe('1.0.0');
      expect(head.headers['upload-offset']).toBe(String(data.length));
      await expectReadyUpload(t, asset.id, data);
    });

    it('the REST API routes absolute-form targets by their path', async () => {
      const answer = await send(t.server.port, 'GET', `http://api.example/v1/assets/${t.project.id}`, { authorization: `Bearer ${t.api.apiKey}` });
      expect(answer.status).toBe(404);
      expect(JSON.parse(answer.text)).toMatchObject({ error: { code: 'asset_not_found' } });
    });

    it('a target that is not a valid URL is a 400, with or without the API key, and logs nothing', async () => {
      for (const auth of [{}, { authorization: `Bearer ${t.api.apiKey}` }] as Record<string, string>[]) {
        const answer = await send(t.server.port, 'GET', 'http://x:99999/v1/assets', auth);
        expect(answer.status).toBe(400);
        expect(JSON.parse(answer.text)).toMatchObject({ error: { code: 'invalid_request' } });
      }
      const tus = await send(t.server.port, 'HEAD', 'http://x:99999/v1/uploads/abc', tusHeaders());
      expect(tus.status).toBeGreaterThanOrEqual(400);
      expect(tus.status).toBeLessThan(500);
      expect(t.errors).toEqual([]);
    });
  });
}
