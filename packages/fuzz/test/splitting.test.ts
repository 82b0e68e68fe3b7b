import { readdir } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkCoreResponse, isParserRejection } from './support/check-response.js';
import { sendRaw, tusRequest, wellFormed } from './support/client.js';
import { headerOf, type RawResponse } from './support/raw-http.js';
import { BASE_PATH, ServerProcess } from './support/server-process.js';
import { headBytes } from './support/wire.js';

/** Sends the exact bytes given (no helper may clean them up). */
async function raw(port: number, bytes: string, method: string): Promise<RawResponse> {
  const response = await sendRaw(port, Buffer.from(bytes, 'latin1'), method);
  if (typeof response !== 'object') throw new Error(`no answer: ${response}`);
  return response;
}

const injected = (response: RawResponse) => response.headers.filter(([name]) => name === 'x-injected' || name === 'set-cookie');
const head = (path: string, extra: Array<[string, string]> = []) =>
  headBytes(wellFormed({ method: 'HEAD', path, headers: extra })).toString('latin1');

describe('header and response splitting', () => {
  let server: ServerProcess;
  const id = 'split-target';

  beforeAll(async () => {
    server = await ServerProcess.start();
    await server.createUpload(id, 1000);
  });

  afterAll(async () => {
    expect(await server.stop()).toBe(0);
  });

  it.each([
    ['a bare CR in a value', 'X-Fuzz: a\rb'],
    ['a bare LF inside a value', 'Upload-Offset: 0\nX-Injected: 1'],
    ['a NUL in a value', 'Tus-Resumable: 1.0.0\0'],
    ['a space before the colon', 'Upload-Offset : 0'],
    ['a folded (obs-fold) line', 'X-Fuzz: a\r\n b'],
  ])('%s is refused by the parser before the core sees it', async (_, line) => {
    const bytes = head(`${BASE_PATH}/${id}`).replace('\r\n\r\n', `\r\n${line}\r\n\r\n`);
    const response = await raw(server.port, bytes, 'HEAD');
    expect(isParserRejection(response)).toBe(true);
    expect(response.status).toBe(400);
  });

  it.each([
    ['raw CR LF in the id', `${BASE_PATH}/a\r\nX-Injected: 1`, 404],
    ['encoded CR LF in the id', `${BASE_PATH}/a%0d%0aX-Injected:%201`, 404],
    ['encoded CR LF in the query', `${BASE_PATH}/${id}?x=%0d%0aSet-Cookie:%20a=b`, 200],
    ['a traversal id', `${BASE_PATH}/..%2f..%2fetc%2fpasswd`, 404],
  ])('%s never splits the response', async (_, path, status) => {
    const response = await raw(server.port, head(path), 'HEAD');
    expect(response.status).toBe(status);
    expect(injected(response)).toEqual([]);
    if (!isParserRejection(response)) checkCoreResponse(response, 'HEAD');
  });

  it('a CR LF inside a value only starts another request header, never a response header', async () => {
    const response = await raw(server.port, head(`${BASE_PATH}/${id}`, [['X-Fuzz', 'a\r\nX-Injected: 1']]), 'HEAD');
    expect(response.status).toBe(200);
    expect(injected(response)).toEqual([]);
  });

  it('echoes Upload-Metadata holding CR LF only as base64, byte-exact', async () => {
    const value = 'take 1\r\nSet-Cookie: a=b\r\n\r\n<html>';
    const created = await tusRequest(server.port, {
      method: 'POST',
      path: BASE_PATH,
      headers: [['Upload-Length', '1000'], ['Upload-Metadata', `filename ${Buffer.from(value).toString('base64')}`]],
    });
    expect(created.status).toBe(201);
    const location = headerOf(created, 'location') ?? '';
    const echoed = await tusRequest(server.port, { method: 'HEAD', path: new URL(location).pathname });
    expect(echoed.status).toBe(200);
    expect(injected(echoed)).toEqual([]);
    const [key, encoded] = (headerOf(echoed, 'upload-metadata') ?? '').split(' ');
    expect(key).toBe('filename');
    expect(Buffer.from(encoded ?? '', 'base64').toString()).toBe(value);
  });

  it('builds Location from a safe Host only', async () => {
    const response = await tusRequest(server.port, {
      method: 'POST',
      path: BASE_PATH,
      headers: [['Upload-Length', '1000'], ['X-Forwarded-Host', 'evil.example']],
    });
    expect(headerOf(response, 'location')).toMatch(/^http:\/\/127\.0\.0\.1\/v1\/uploads\/[\w-]+$/);
    const hostile = wellFormed({ method: 'POST', path: BASE_PATH, headers: [['Upload-Length', '1000']] });
    hostile.headers[0] = ['Host', 'a"b<svg>'];
    const fallback = await raw(server.port, headBytes(hostile).toString('latin1'), 'POST');
    expect(fallback.status).toBe(201);
    expect(headerOf(fallback, 'location')).toMatch(/^http:\/\/localhost\/v1\/uploads\/[\w-]+$/);
  });

  it.each([
    ['one 17 KiB header', [['X-Big', 'x'.repeat(17 * 1024)]]],
    ['100 headers of 200 bytes', Array.from({ length: 100 }, (_, i) => [`X-H${i}`, 'y'.repeat(200)])],
  ] as Array<[string, Array<[string, string]>]>)('answers 431 to %s and keeps serving', async (_, extra) => {
    const before = await readdir(server.config.storeDir);
    const response = await raw(server.port, head(`${BASE_PATH}/${id}`, extra), 'HEAD');
    expect(response.status).toBe(431);
    expect(isParserRejection(response)).toBe(true);
    expect((await tusRequest(server.port, { method: 'HEAD', path: `${BASE_PATH}/${id}` })).status).toBe(200);
    expect(await readdir(server.config.storeDir)).toEqual(before);
  });
});
