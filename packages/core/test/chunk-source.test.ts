import { once } from 'node:events';
import { createServer, request as httpRequest, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PassThrough, Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { RequestBody } from '../src/body.js';

async function collect(body: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of body) chunks.push(chunk);
  return Buffer.concat(chunks);
}

const options = (limit: number) => ({ limit, idleTimeoutMs: 10_000 });

/** A body over a stream that has delivered `first` and is waiting for more. */
async function waitingAfter(first: string) {
  const stream = new PassThrough();
  const body = new RequestBody(stream, options(100));
  const done = collect(body);
  stream.write(first);
  await new Promise((resolve) => setImmediate(resolve));
  return { stream, body, done };
}

describe('RequestBody over a Node stream', () => {
  it('reads what is written later, in order, and ends with the stream', async () => {
    const stream = new PassThrough();
    const body = new RequestBody(stream, options(100));
    const done = collect(body);
    for (const part of ['ab', 'cd', 'ef']) {
      stream.write(part);
      await new Promise((resolve) => setImmediate(resolve));
    }
    stream.end('gh');
    expect((await done).toString()).toBe('abcdefgh');
    expect(body).toMatchObject({ complete: true, interrupted: undefined, bytesRead: 8 });
  });

  it('reads a stream that has all its bytes already and has ended', async () => {
    const stream = Readable.from([Buffer.from('abc'), Buffer.from('def')], { objectMode: false });
    expect((await collect(new RequestBody(stream, options(100)))).toString()).toBe('abcdef');
  });

  it('leaves the rest unread at the limit', async () => {
    const stream = new PassThrough();
    stream.end('abcdefgh');
    const body = new RequestBody(stream, options(5));
    expect((await collect(body)).toString()).toBe('abcde');
    expect(body).toMatchObject({ overflowed: true, complete: false });
  });

  it('ends as aborted, keeping what arrived, when the stream is destroyed while waiting', async () => {
    const { stream, body, done } = await waitingAfter('abc');
    stream.destroy(new Error('ECONNRESET'));
    expect((await done).toString()).toBe('abc');
    expect(body).toMatchObject({ complete: false, interrupted: 'aborted' });
  });

  it('ends as aborted when the stream closed before the read', async () => {
    const stream = new PassThrough();
    stream.destroy();
    await once(stream, 'close');
    const body = new RequestBody(stream, options(100));
    expect((await collect(body)).length).toBe(0);
    expect(body.interrupted).toBe('aborted');
  });

  it('ends a pending read on interrupt, and later bytes are not part of the body', async () => {
    const { stream, body, done } = await waitingAfter('ab');
    body.interrupt('takeover');
    stream.write('cd');
    expect((await done).toString()).toBe('ab');
    expect(body.interrupted).toBe('takeover');
  });

  it('ends as aborted when an HTTP client drops mid-body, with the bytes that arrived', async () => {
    let dropClient = () => {};
    const received = new Promise<{ bytes: Buffer; body: RequestBody }>((resolve) => {
      const server = createServer((req: IncomingMessage) => {
        const onChunk = (bytesRead: number) => bytesRead === 300 && dropClient();
        const body = new RequestBody(req, { ...options(1 << 20), onChunk });
        void collect(body).then((bytes) => {
          server.close();
          resolve({ bytes, body });
        });
      });
      server.listen(0, '127.0.0.1', () => {
        const { port } = server.address() as AddressInfo;
        const client = httpRequest({ port, host: '127.0.0.1', method: 'PATCH', headers: { 'content-length': '1000' } });
        client.on('error', () => {});
        dropClient = () => client.destroy();
        client.write(Buffer.alloc(300, 7));
      });
    });
    const { bytes, body } = await received;
    expect(bytes).toEqual(Buffer.alloc(300, 7));
    expect(body).toMatchObject({ complete: false, interrupted: 'aborted', bytesRead: 300 });
  });
});
