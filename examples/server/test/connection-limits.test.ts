// A client without the API key cannot hold connections forever or crowd out the uploads of others,
// while an upload that keeps sending is never cut by those bounds.
import { connect, type Socket } from 'node:net';
import { setTimeout as pace } from 'node:timers/promises';
import { wavFile } from '@tuskit/core/testing';
import { describe, expect, it } from 'vitest';
import { expectReadyUpload } from './support/outcomes.js';
import { startTestServer, suiteServer } from './support/server.js';
import { streamingPatch } from './support/streaming-patch.js';

/** What became of a raw connection. */
interface RawConnection {
  socket: Socket;
  /** Resolves with what the server sent and when the connection closed (`performance.now()`). */
  closed: Promise<{ received: string; at: number }>;
}

/** Opens a connection from `localAddress` and sends `bytes` once connected. */
function rawConnection(port: number, bytes: string, localAddress = '127.0.0.1'): Promise<RawConnection> {
  return new Promise((resolve, reject) => {
    const socket = connect({ port, host: '127.0.0.1', localAddress });
    let received = '';
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => (received += chunk));
    const closed = new Promise<{ received: string; at: number }>((done) => {
      socket.on('close', () => done({ received, at: performance.now() }));
    });
    socket.on('error', () => {}); // a refused connection is reset: its close says so
    socket.once('connect', () => {
      if (bytes) socket.write(bytes);
      resolve({ socket, closed });
    });
    socket.once('error', reject);
  });
}

const HALF_REQUEST = 'POST /v1/assets HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ';

describe('bounded headers and request bodies (HEADERS_TIMEOUT_SECONDS=1, REQUEST_BODY_TIMEOUT_SECONDS=1)', () => {
  const t = suiteServer('express', { headersTimeoutSeconds: 1, requestBodyTimeoutSeconds: 1 });

  it('connections that never finish their headers (or send nothing) get 408 and are closed within the bound', async () => {
    const opened = performance.now();
    const slow = await Promise.all([
      ...Array.from({ length: 6 }, () => rawConnection(t.server.port, HALF_REQUEST)),
      rawConnection(t.server.port, ''),
    ]);
    for (const { closed } of slow) {
      const { received, at } = await closed;
      expect(received).toMatch(/^HTTP\/1\.1 408 /);
      // The bound, plus Node's check interval (at most 1 s).
      expect(at - opened).toBeGreaterThanOrEqual(1000 - 50);
      expect(at - opened).toBeLessThan(2000 + 500);
    }
  });

  it('a REST body that never arrives is answered 408 and the connection is closed', async () => {
    const started = performance.now();
    const head = `POST /v1/assets HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${t.api.apiKey}\r\n`;
    const { closed } = await rawConnection(t.server.port, `${head}Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{"pro`);
    const { received, at } = await closed;
    expect(received).toMatch(/^HTTP\/1\.1 408 /);
    expect(received).toContain('"code":"body_timeout"');
    expect(at - started).toBeGreaterThanOrEqual(1000 - 50);
    expect(at - started).toBeLessThan(1000 + 1000);
  });

  it('a PATCH that keeps sending for longer than both bounds is never cut and completes', async () => {
    const data = wavFile(192 * 1024);
    const { asset, location } = await t.api.createAsset(t.project.id, data.length);
    const patch = streamingPatch(location, t.api.apiKey, 0, data.length);
    const piece = 16 * 1024;
    const started = performance.now();
    for (let offset = 0; offset < data.length; offset += piece) {
      expect(await patch.write(data.subarray(offset, offset + piece))).toBe(true);
      await pace(250); // the client's pace: 12 pieces over 3 s, three times each bound
    }
    patch.end();
    const answer = await patch.answer;
    expect(answer.at - started).toBeGreaterThan(2500);
    expect(answer).toMatchObject({ status: 204, offset: data.length });
    await expectReadyUpload(t, asset.id, data);
  });
});

/** Opens `count` connections one after the other, each sending half a request, so the server accepts them in order. */
async function openInOrder(port: number, count: number, localAddress: string): Promise<RawConnection[]> {
  const opened: RawConnection[] = [];
  for (let i = 0; i < count; i++) opened.push(await rawConnection(port, HALF_REQUEST, localAddress));
  return opened;
}

async function closeAll(connections: RawConnection[]): Promise<void> {
  for (const { socket, closed } of connections) {
    socket.destroy();
    await closed;
  }
}

describe('connection caps', () => {
  describe('MAX_CONNECTIONS_PER_ADDRESS=8', () => {
    const t = suiteServer('koa', { maxConnectionsPerAddress: 8 });

    it('connections over the per-address cap are closed on arrival while an upload from another address proceeds', async () => {
      const connections = await openInOrder(t.server.port, 12, '127.0.0.2');
      const held = connections.slice(0, 8);
      for (const { closed } of connections.slice(8)) expect((await closed).received).toBe('');

      const data = wavFile(128 * 1024);
      const { asset, location } = await t.api.createAsset(t.project.id, data.length);
      await t.api.upload(location, data, 32 * 1024);
      await expectReadyUpload(t, asset.id, data);

      // The cap refused only the extra ones: the first eight are still open.
      for (const { socket } of held) expect(socket.destroyed).toBe(false);
      await closeAll(held);
    });
  });

  it('MAX_CONNECTIONS=20: the 21st connection is closed on arrival, whatever its address', async () => {
    const { server, dispose } = await startTestServer('express', { maxConnections: 20 });
    try {
      const held = [
        ...(await openInOrder(server.port, 10, '127.0.0.3')),
        ...(await openInOrder(server.port, 10, '127.0.0.4')),
      ];
      const [over] = await openInOrder(server.port, 1, '127.0.0.5');
      expect((await over!.closed).received).toBe('');
      for (const { socket } of held) expect(socket.destroyed).toBe(false);
      await closeAll(held);
    } finally {
      await dispose();
    }
  });
});
