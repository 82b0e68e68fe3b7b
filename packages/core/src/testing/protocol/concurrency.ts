import { once } from 'node:events';
import type { ClientRequest } from 'node:http';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryStore } from '../../memory-store.js';
import { isReadableStore, type DataStore, type UploadHandle } from '../../store.js';
import { randomData, sha256, wavFile } from '../bytes.js';
import { Harness, type ProtocolSuiteOptions } from './harness.js';
import { FIXTURES_DIR } from '../fixtures.js';

const KiB = 1024;
const MiB = 1024 * KiB;

/** Resolves on the next 'drain', removing its listener if the request closes first. */
function drained(req: ClientRequest): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      req.off('drain', done);
      req.off('close', done);
      resolve();
    };
    req.once('drain', done);
    req.once('close', done);
  });
}

/** Dropped connections, takeover, 423, shutdown, a bogus large body, parallel uploads. */
export function concurrencyCases(suite: ProtocolSuiteOptions): void {
  const h = new Harness(suite);
  beforeAll(() => h.start());
  afterAll(() => h.stop());

  const progressed = (id: string, offset: number) =>
    h.waitFor((c) => c.hook === 'onProgress' && (c.event.upload as { id: string }).id === id && (c.event.offset as number) >= offset);

  it('keeps every byte of a dropped PATCH and resumes byte-exact', async () => {
    const data = wavFile(MiB);
    const { id } = await h.create(data.length);
    const { req, response } = h.rawPatch(id, 0, data.length);
    req.write(data.subarray(0, 300 * KiB));
    await progressed(id, 300 * KiB);
    req.destroy();
    expect(await response).toBeInstanceOf(Error);
    const head = await h.head(id);
    expect(head.status).toBe(200);
    expect(head.headers.get('upload-offset')).toBe(String(300 * KiB));
    expect((await h.patch(id, 300 * KiB, data.subarray(300 * KiB))).status).toBe(204);
    if (isReadableStore(h.tus.store)) expect(await sha256(await h.tus.store.read(id))).toBe(await sha256(data));
  });

  it('a HEAD takes over a stalled PATCH, which persists and answers with its offset', async () => {
    const data = wavFile(MiB);
    const { id } = await h.create(data.length);
    const { req, response } = h.rawPatch(id, 0, data.length);
    req.write(data.subarray(0, 200 * KiB));
    await progressed(id, 200 * KiB);
    const head = await h.head(id);
    expect(head.status).toBe(200);
    expect(head.headers.get('upload-offset')).toBe(String(200 * KiB));
    const answered = await response;
    req.destroy();
    expect(answered).toMatchObject({ status: 204, headers: { 'upload-offset': String(200 * KiB) } });
    expect((await h.patch(id, 200 * KiB, data.subarray(200 * KiB))).status).toBe(204);
    if (isReadableStore(h.tus.store)) expect(await sha256(await h.tus.store.read(id))).toBe(await sha256(data));
  });

  it('a first PATCH taken over before 64 bytes arrived answers 204 at offset 0, not 400', async () => {
    const data = wavFile(KiB);
    const { id } = await h.create(data.length);
    const { req, response } = h.rawPatch(id, 0, data.length);
    req.write(data.subarray(0, 30));
    await progressed(id, 30);
    const head = await h.head(id);
    expect(head.headers.get('upload-offset')).toBe('0');
    expect(await response).toMatchObject({ status: 204, headers: { 'upload-offset': '0' } });
    req.destroy();
    expect((await h.patch(id, 0, data)).status).toBe(204);
  });

  it('stops reading a bogus 64 MiB first PATCH after its head', async () => {
    const pdf = readFileSync(join(suite.fixturesDir ?? FIXTURES_DIR, 'not-media', 'document.pdf'));
    const total = 64 * MiB;
    const { id } = await h.create(total);
    const { req, response } = h.rawPatch(id, 0, total);
    let sent = 0;
    let answered = false;
    const finished = Promise.race([response, once(req, 'close')]).then(() => (answered = true));
    const chunk = randomData(64 * KiB);
    req.write(pdf);
    sent += pdf.length;
    while (sent < total && !answered && !req.destroyed) {
      const more = req.write(chunk);
      sent += chunk.length;
      if (!more) await Promise.race([drained(req), finished]);
    }
    const result = await response;
    req.destroy();
    if (!(result instanceof Error)) expect(result.status).toBe(409);
    expect(sent).toBeLessThan(24 * MiB);
    expect((await h.head(id)).status).toBe(404);
  });

  it('runs parallel uploads byte-exact', async () => {
    const files = Array.from({ length: 6 }, (_, i) => wavFile(200 * KiB + i * 7919));
    const ids = await Promise.all(files.map((f) => h.create(f.length)));
    await Promise.all(files.map((f, i) => h.upload(ids[i]!.id, f, 64 * KiB + i)));
    for (const [i, f] of files.entries()) {
      expect((await h.head(ids[i]!.id)).headers.get('upload-offset')).toBe(String(f.length));
      if (isReadableStore(h.tus.store)) expect(await sha256(await h.tus.store.read(ids[i]!.id))).toBe(await sha256(f));
    }
  });

  describe('a holder that does not let go', () => {
    const gated = new Harness(suite);
    let entered!: () => void;
    let release!: () => void;
    const inWrite = new Promise<void>((r) => (entered = r));
    const gate = new Promise<void>((r) => (release = r));
    beforeAll(async () => {
      const store = (await suite.createStore?.()) ?? new MemoryStore();
      const stuckWrite = (upload: UploadHandle) => async (offset: number, body: AsyncIterable<Uint8Array>) => {
        const result = await upload.write(offset, body);
        entered();
        await gate;
        return result;
      };
      const stuckHandle = (upload: UploadHandle | undefined) =>
        upload && new Proxy(upload, { get: (target, key) => (key === 'write' ? stuckWrite(target) : bound(target, key)) });
      const stuck = new Proxy(store, {
        get: (target, key) => {
          if (key === 'open') return async (id: string) => stuckHandle(await target.open(id));
          return bound(target, key);
        },
      }) as DataStore;
      await gated.start({ store: stuck, lockTimeoutMs: 200 });
    });
    afterAll(() => gated.stop());

    it('makes a newer request wait a bounded time, then answers 423', async () => {
      const data = wavFile(1000);
      const { id } = await gated.create(data.length * 2);
      const patching = gated.patch(id, 0, data);
      await inWrite;
      const started = Date.now();
      const head = await gated.head(id);
      expect(head.status).toBe(423);
      expect(Date.now() - started).toBeGreaterThanOrEqual(150);
      release();
      expect((await patching).status).toBe(204);
      expect((await gated.head(id)).headers.get('upload-offset')).toBe('1000');
    });
  });

  describe('an idle client', () => {
    const idle = new Harness(suite);
    beforeAll(() => idle.start({ idleTimeoutMs: 300 }));
    afterAll(() => idle.stop());

    it('is ended after the idle timeout, keeping its bytes', async () => {
      const data = wavFile(MiB);
      const { id } = await idle.create(data.length);
      const { req, response } = idle.rawPatch(id, 0, data.length);
      req.write(data.subarray(0, 100 * KiB));
      expect(await response).toMatchObject({ status: 204, headers: { 'upload-offset': String(100 * KiB) } });
      req.destroy();
      expect((await idle.head(id)).headers.get('upload-offset')).toBe(String(100 * KiB));
    });
  });

  describe('shutdown', () => {
    const closing = new Harness(suite);
    beforeAll(() => closing.start());

    it('lets an in-flight PATCH persist and answer', async () => {
      const data = wavFile(MiB);
      const { id } = await closing.create(data.length);
      const { req, response } = closing.rawPatch(id, 0, data.length);
      req.write(data.subarray(0, 128 * KiB));
      await closing.waitFor((c) => c.hook === 'onProgress' && (c.event.offset as number) >= 128 * KiB);
      const stopping = closing.tus.close();
      expect(await response).toMatchObject({ status: 204, headers: { 'upload-offset': String(128 * KiB) } });
      req.destroy();
      await stopping;
      expect((await closing.tus.store.open(id))?.info.offset).toBe(128 * KiB);
      await closing.stop();
    });
  });
}

/** A property of `target`, with methods bound to it (a proxy must not call private members on itself). */
function bound(target: object, key: string | symbol): unknown {
  const value: unknown = Reflect.get(target, key, target);
  return typeof value === 'function' ? value.bind(target) : value;
}
