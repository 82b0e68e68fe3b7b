import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { patchHeaders, tusRequest, wellFormed } from './support/client.js';
import { contentOf } from './support/content.js';
import { RawConnection, headerOf } from './support/raw-http.js';
import { BASE_PATH, ServerProcess } from './support/server-process.js';
import { bodyBytes, headBytes, type BodyPlan } from './support/wire.js';

const IDLE_TIMEOUT_MS = 1000;
const HEADERS_TIMEOUT_MS = 2000;
const SLOW_CLIENTS = 200;

describe('slow, stalled and vanishing clients', () => {
  let server: ServerProcess;

  beforeAll(async () => {
    server = await ServerProcess.start({ idleTimeoutMs: IDLE_TIMEOUT_MS, headersTimeoutMs: HEADERS_TIMEOUT_MS });
  });

  afterAll(async () => {
    expect(await server.stop()).toBe(0);
  });

  const storedBytes = (id: string) => readFile(join(server.config.storeDir, id));

  it(`keeps serving while ${SLOW_CLIENTS} slowloris connections trickle headers, then drops them at headersTimeout`, async () => {
    const before = await server.stats();
    const slow = await Promise.all(Array.from({ length: SLOW_CLIENTS }, () => RawConnection.open(server.port)));
    const header = Buffer.from(`PATCH ${BASE_PATH}/slow HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ${'a'.repeat(5000)}`);
    let sent = 0;
    const trickle = setInterval(() => {
      sent += 1;
      for (const connection of slow) if (!connection.isClosed) void connection.write(header.subarray(sent - 1, sent));
    }, 50);
    try {
      const id = 'beside-slowloris';
      const data = contentOf(id, 256 * 1024);
      await server.createUpload(id, data.length);
      let slowest = 0;
      for (let offset = 0; offset < data.length; offset += 8192) {
        const started = Date.now();
        const response = await tusRequest(server.port, {
          method: 'PATCH',
          path: `${BASE_PATH}/${id}`,
          headers: patchHeaders(offset),
          body: data.subarray(offset, offset + 8192),
        });
        slowest = Math.max(slowest, Date.now() - started);
        expect(response.status).toBe(204);
        expect(headerOf(response, 'upload-offset')).toBe(String(Math.min(offset + 8192, data.length)));
      }
      expect(slow.every((connection) => !connection.isClosed)).toBe(true);
      expect(slowest).toBeLessThan(1500);
      expect((await storedBytes(id)).equals(data)).toBe(true);

      const answers = await Promise.all(slow.map((connection) => connection.read('PATCH', HEADERS_TIMEOUT_MS + 5000)));
      // Node answers 408 and closes; a byte still trickling in at that moment turns the close into a reset.
      const outcomes = new Set(answers.map((answer) => (typeof answer === 'object' ? answer.status : answer)));
      expect([...outcomes].filter((outcome) => outcome !== 408 && outcome !== 'closed')).toEqual([]);
      expect(await Promise.all(slow.map((connection) => connection.waitClosed(5000)))).toEqual(slow.map(() => true));
      expect(sent).toBeLessThan(header.length);
    } finally {
      clearInterval(trickle);
      for (const connection of slow) connection.destroy();
    }
    await server.idle(5000);
    const after = await server.stats();
    expect(after.fds).toBeLessThanOrEqual(before.fds);
    expect(after.resources).toEqual(before.resources);
  });

  const stalledBodies: Array<[string, (data: Buffer) => BodyPlan]> = [
    ['Content-Length', (data) => ({ payload: data, framing: 'length', sent: 30_000, ending: 'wait' })],
    ['chunked', (data) => ({ payload: data, framing: 'chunked', chunkSizes: [7000], sent: 30_000, ending: 'wait' })],
  ];

  it.each(stalledBodies)('ends a PATCH whose %s body stalls after idleTimeoutMs, keeps its bytes and resumes', async (framing, plan) => {
    const id = `stalled-${framing.toLowerCase().replace(/\W/g, '')}`;
    const data = contentOf(id, 100_000);
    await server.createUpload(id, data.length);
    const request = wellFormed({ method: 'PATCH', path: `${BASE_PATH}/${id}`, headers: patchHeaders(0) });
    request.body = plan(data);
    const connection = await RawConnection.open(server.port);
    await connection.write(Buffer.concat([headBytes(request), bodyBytes(request.body)]));
    const started = Date.now();
    const answer = await connection.read('PATCH', IDLE_TIMEOUT_MS + 5000);
    const waited = Date.now() - started;

    expect(typeof answer === 'object' && answer.status).toBe(204);
    if (typeof answer !== 'object') return;
    expect(headerOf(answer, 'upload-offset')).toBe('30000');
    expect(headerOf(answer, 'connection')).toBe('close');
    expect(waited).toBeGreaterThanOrEqual(IDLE_TIMEOUT_MS - 100);
    expect(await connection.waitClosed(5000)).toBe(true);
    expect((await storedBytes(id)).equals(data.subarray(0, 30_000))).toBe(true);

    const rest = await tusRequest(server.port, {
      method: 'PATCH',
      path: `${BASE_PATH}/${id}`,
      headers: patchHeaders(30_000),
      body: data.subarray(30_000),
    });
    expect(rest.status).toBe(204);
    expect((await storedBytes(id)).equals(data)).toBe(true);
    await server.idle(5000);
  });

  it('returns to its baseline of fds, sockets and memory after 2,000 abandoned requests', async () => {
    const id = 'abandoned';
    const data = contentOf(id, 1024 * 1024);
    await server.createUpload(id, data.length);
    const before = await server.stats();
    for (let i = 0; i < 2000; i++) {
      const request = wellFormed({ method: 'PATCH', path: `${BASE_PATH}/${id}`, headers: patchHeaders(0) });
      request.body = { payload: data, framing: i % 2 ? 'length' : 'chunked', chunkSizes: [4096], sent: (i * 977) % 20_000, ending: 'rst' };
      const bytes = Buffer.concat([headBytes(request), bodyBytes(request.body)]);
      const connection = await RawConnection.open(server.port);
      await connection.write(bytes.subarray(0, i % 3 === 0 ? i % bytes.length : bytes.length));
      connection.destroy();
    }
    await server.idle(10_000);
    const head = await tusRequest(server.port, { method: 'HEAD', path: `${BASE_PATH}/${id}` });
    expect(head.status).toBe(200);
    await server.idle(5000);
    const after = await server.stats();
    const mib = (bytes: number) => (bytes / 1024 / 1024).toFixed(1);
    console.log(`after 2,000 abandoned requests: fds ${before.fds} → ${after.fds}, heap ${mib(after.heapUsed - before.heapUsed)} MiB, rss ${mib(after.rss - before.rss)} MiB`);
    expect(after.connections).toBe(0);
    // Only the upload's data file may stay open (FileStore keeps it warm between PATCHes).
    expect(after.fds - after.storeFds).toBeLessThanOrEqual(before.fds - before.storeFds);
    expect(after.storeFds).toBeLessThanOrEqual(1);
    expect(after.resources).toEqual(before.resources);
    expect(after.heapUsed - before.heapUsed).toBeLessThan(8 * 1024 * 1024);
    expect(after.rss - before.rss).toBeLessThan(128 * 1024 * 1024);
    expect(server.crashes).toEqual([]);
    expect(server.errors).toEqual([]);
  });
});
