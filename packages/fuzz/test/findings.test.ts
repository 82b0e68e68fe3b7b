import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { patchHeaders, sendRaw, tusRequest, wellFormed } from './support/client.js';
import { contentOf } from './support/content.js';
import { headerOf } from './support/raw-http.js';
import { BASE_PATH, ServerProcess } from './support/server-process.js';
import { headBytes } from './support/wire.js';

// Minimal reproductions of core bugs the fuzzer found; see the package README.
describe('fuzzer findings in @tuskit/core', () => {
  let server: ServerProcess;

  beforeAll(async () => {
    server = await ServerProcess.start();
  });

  afterAll(async () => {
    expect(await server.stop()).toBe(0);
  });

  it('tells the host about a completed upload once, not again on every empty PATCH at its end', async () => {
    const id = 'complete-once';
    const data = contentOf(id, 64);
    await server.createUpload(id, data.length);
    const path = `${BASE_PATH}/${id}`;
    const last = await tusRequest(server.port, { method: 'PATCH', path, headers: patchHeaders(0), body: data });
    expect(last.status).toBe(204);
    const empty = await tusRequest(server.port, { method: 'PATCH', path, headers: patchHeaders(64), body: Buffer.alloc(0) });
    expect(empty.status).toBe(204);
    await server.stats();
    expect(server.hookCount('onComplete', id)).toBe(1);
  });

  it.each(['constructor', 'toString', '__proto__'])('accepts the Upload-Metadata key %s (creation)', async (key) => {
    const created = await tusRequest(server.port, {
      method: 'POST',
      path: BASE_PATH,
      headers: [['Upload-Length', '1000'], ['Upload-Metadata', `${key} ${Buffer.from('x').toString('base64')}`]],
    });
    expect(created.status).toBe(201);
    const head = await tusRequest(server.port, { method: 'HEAD', path: new URL(headerOf(created, 'location') ?? '').pathname });
    expect(headerOf(head, 'upload-metadata')).toBe(`${key} eA==`);
  });

  it('lets the client read a refusal before tearing down a connection with an unread body (RFC 9112 §9.6)', async () => {
    const id = 'refused-large-body';
    await server.createUpload(id, 64 * 1024 * 1024);
    const statuses: Array<number | string> = [];
    for (let attempt = 0; attempt < 20; attempt++) {
      const request = wellFormed({ method: 'PATCH', path: `${BASE_PATH}/${id}`, headers: patchHeaders(5), body: Buffer.alloc(8 * 1024 * 1024) });
      const answer = await sendRaw(server.port, Buffer.concat([headBytes(request), request.body.payload]), 'PATCH');
      statuses.push(typeof answer === 'object' ? answer.status : answer);
    }
    expect(statuses).toEqual(statuses.map(() => 409));
  });

  it('accepts an absolute-form request target (RFC 9112 §3.2.2)', async () => {
    const id = 'absolute-form';
    await server.createUpload(id, 1000);
    const request = wellFormed({ method: 'HEAD', path: `http://127.0.0.1:${server.port}${BASE_PATH}/${id}` });
    const response = await sendRaw(server.port, headBytes(request), 'HEAD');
    expect(typeof response === 'object' && response.status).toBe(200);
  });
});
