import { describe, expect, it } from 'vitest';
import { RequestBody, readHead, replay } from '../src/body.js';

async function collect(body: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of body) chunks.push(chunk);
  return Buffer.concat(chunks);
}

async function* source(...chunks: Array<Uint8Array | Error>): AsyncIterable<Uint8Array> {
  for (const chunk of chunks) {
    if (chunk instanceof Error) throw chunk;
    yield chunk;
  }
}

const options = (limit: number) => ({ limit, idleTimeoutMs: 10_000 });

describe('RequestBody', () => {
  it('passes a body through and marks it complete', async () => {
    const body = new RequestBody(source(Buffer.from('abc'), Buffer.from('def')), options(10));
    expect((await collect(body)).toString()).toBe('abcdef');
    expect(body).toMatchObject({ complete: true, overflowed: false, bytesRead: 6, interrupted: undefined });
  });

  it('cuts at the limit and flags the overflow without reading further', async () => {
    let pulled = 0;
    async function* counted() {
      for (const s of ['abcd', 'efgh', 'ijkl']) {
        pulled++;
        yield Buffer.from(s);
      }
    }
    const body = new RequestBody(counted(), options(6));
    expect((await collect(body)).toString()).toBe('abcdef');
    expect(body).toMatchObject({ overflowed: true, complete: false, bytesRead: 6 });
    expect(pulled).toBe(2);
  });

  it('turns a failing source into a normal end, keeping what arrived', async () => {
    const body = new RequestBody(source(Buffer.from('abc'), new Error('ECONNRESET')), options(10));
    expect((await collect(body)).toString()).toBe('abc');
    expect(body).toMatchObject({ complete: false, interrupted: 'aborted' });
  });

  it('ends a pending read when interrupted, recording the first reason', async () => {
    let wake!: () => void;
    async function* stalled() {
      yield Buffer.from('ab');
      await new Promise<void>((r) => (wake = r));
      yield Buffer.from('cd');
    }
    const body = new RequestBody(stalled(), options(10));
    const done = collect(body);
    await new Promise((r) => setImmediate(r));
    body.interrupt('takeover');
    body.interrupt('aborted');
    expect((await done).toString()).toBe('ab');
    expect(body.interrupted).toBe('takeover');
    wake();
  });

  it('ends an idle body after the idle timeout', async () => {
    async function* stalled() {
      yield Buffer.from('ab');
      await new Promise(() => {});
    }
    const body = new RequestBody(stalled(), { limit: 10, idleTimeoutMs: 50 });
    expect((await collect(body)).toString()).toBe('ab');
    expect(body.interrupted).toBe('idle');
  });
});

describe('readHead and replay', () => {
  it('reads whole chunks up to the head size and replays them before the rest', async () => {
    const it = source(Buffer.alloc(3000, 1), Buffer.alloc(3000, 2), Buffer.alloc(3000, 3))[Symbol.asyncIterator]();
    const { chunks, head } = await readHead(it, 4100);
    expect(head.length).toBe(4100);
    expect(chunks.length).toBe(2);
    expect((await collect(replay(chunks, it))).length).toBe(9000);
  });

  it('hands out the head chunks in order, then the rest, and forwards return() to the body', async () => {
    const body = new RequestBody(source(Buffer.from('ab'), Buffer.from('cd'), Buffer.from('ef')), { limit: 10, idleTimeoutMs: 1000 });
    const it = body[Symbol.asyncIterator]();
    const { chunks } = await readHead(it, 3);
    const replayed = replay(chunks, it)[Symbol.asyncIterator]();
    const seen: string[] = [];
    for (let next = await replayed.next(); !next.done; next = await replayed.next()) seen.push(Buffer.from(next.value).toString());
    expect(seen).toEqual(['ab', 'cd', 'ef']);
    expect(body.complete).toBe(true);
  });

  it('ends the body when the store stops early', async () => {
    const body = new RequestBody(source(Buffer.from('ab'), Buffer.from('cd')), { limit: 10, idleTimeoutMs: 1000 });
    const it = body[Symbol.asyncIterator]();
    const { chunks } = await readHead(it, 2);
    await replay(chunks, it)[Symbol.asyncIterator]().return?.();
    expect(await it.next()).toEqual({ value: undefined, done: true });
    expect(body.complete).toBe(false);
  });

  it('takes the head from a single chunk without copying it, and copies only the head across chunks', async () => {
    const one = source(Buffer.alloc(64 * 1024, 7))[Symbol.asyncIterator]();
    const single = await readHead(one, 4100);
    expect(single.head.length).toBe(4100);
    expect(single.head.buffer).toBe(single.chunks[0]?.buffer);
    const two = source(Buffer.alloc(3000, 1), Buffer.alloc(64 * 1024, 2))[Symbol.asyncIterator]();
    const spanning = await readHead(two, 4100);
    expect(spanning.head.length).toBe(4100);
    expect(spanning.head.buffer.byteLength).toBeLessThan(64 * 1024);
    expect([spanning.head[2999], spanning.head[3000]]).toEqual([1, 2]);
  });

  it('returns a short head when the body ends first', async () => {
    const it = source(Buffer.alloc(10))[Symbol.asyncIterator]();
    expect((await readHead(it, 4100)).head.length).toBe(10);
  });
});
