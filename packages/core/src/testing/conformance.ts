import { describe, expect, it } from 'vitest';
import { bodyOf } from '../body.js';
import { isTusError } from '../errors.js';
import { isLengthDeferringStore, isListableStore, isReadableStore, type DataStore, type UploadBody, type UploadHandle } from '../store.js';
import type { UploadInfo } from '../upload.js';
import { chunked, randomData, sha256 } from './bytes.js';
import { concatenationCases } from './conformance-concat.js';

/** Options of {@link describeStoreConformance}. */
export interface StoreConformanceOptions {
  /** Suite name, e.g. `'FileStore'`. */
  name: string;
  /** Returns a store over the backend; called again to prove a new instance sees the same state. */
  createStore: () => DataStore | Promise<DataStore>;
  /** Everything the backend still holds for an upload (files, objects, multipart uploads). */
  leftovers?: (id: string) => Promise<string[]>;
  /** Per-test timeout for slow backends. Default 60 s. */
  timeoutMs?: number;
  /** The store calls `body.free` for every chunk it was given: the suite checks that it does. */
  freesChunks?: boolean;
  /** False for a store without the `ConcatenationStore` capability: the suite checks that it claims none. Default true. */
  concatenation?: boolean;
}

const MiB = 1024 * 1024;
let counter = 0;

/** A unique id per test run. */
function newId(): string {
  return `conf-${Date.now().toString(36)}-${(counter++).toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
}

/**
 * The store conformance suite: every store runs it against its real backend.
 * Call it inside a vitest test file.
 *
 * @example
 * ```ts
 * import { describeStoreConformance } from '@tuskit/core/testing';
 * describeStoreConformance({ name: 'FileStore', createStore: () => new FileStore({ directory }) });
 * ```
 */
export function describeStoreConformance(options: StoreConformanceOptions): void {
  const timeout = options.timeoutMs ?? 60_000;
  const store = async () => options.createStore();

  async function created(size: number, metadata: Record<string, string> = {}): Promise<[DataStore, UploadHandle]> {
    const s = await store();
    const upload = await s.create({ id: newId(), size, metadata, createdAt: new Date() });
    return [s, upload];
  }

  /** What a fresh `open` sees of the upload. */
  async function opened(s: DataStore, id: string): Promise<UploadInfo | undefined> {
    return (await s.open(id))?.info;
  }

  async function handle(s: DataStore, id: string): Promise<UploadHandle> {
    const upload = await s.open(id);
    if (!upload) throw new Error(`upload ${id} is not there`);
    return upload;
  }

  async function readBack(s: DataStore, id: string): Promise<string> {
    if (!isReadableStore(s)) throw new Error('store cannot read back');
    return sha256(await s.read(id));
  }

  async function expectGone(s: DataStore, id: string): Promise<void> {
    expect(await s.open(id)).toBeUndefined();
    if (options.leftovers) expect(await options.leftovers(id)).toEqual([]);
  }

  describe(`${options.name} store conformance`, { timeout }, () => {
    it('creates an empty upload and reports it', async () => {
      const createdAt = new Date();
      const s = await store();
      const id = newId();
      const { info } = await s.create({ id, size: 1000, metadata: { name: 'a b.mp4' }, createdAt });
      expect(info).toMatchObject({ id, size: 1000, offset: 0, finalized: false, metadata: { name: 'a b.mp4' } });
      const got = await opened(s, id);
      expect(got).toMatchObject({ id, size: 1000, offset: 0, finalized: false, metadata: { name: 'a b.mp4' } });
      expect(got?.createdAt.getTime()).toBe(createdAt.getTime());
      expect(got?.lastWriteAt).toBeUndefined();
    });

    it('refuses to create a known id', async () => {
      const [s, { info }] = await created(100);
      const again = s.create({ id: info.id, size: 100, metadata: {}, createdAt: new Date() });
      await expect(again).rejects.toSatisfy((e) => isTusError(e, 'upload_exists'));
    });

    it('answers undefined for an unknown id', async () => {
      expect(await (await store()).open(newId())).toBeUndefined();
    });

    it('appends writes and returns each new offset', async () => {
      const data = randomData(3000);
      const [s, upload] = await created(data.length);
      const { id } = upload.info;
      expect(await upload.write(0, bodyOf([data.subarray(0, 1000)]))).toBe(1000);
      expect(upload.info.offset).toBe(1000);
      expect(await upload.write(1000, bodyOf([data.subarray(1000, 1500), data.subarray(1500, 3000)]))).toBe(3000);
      expect(upload.info).toMatchObject({ offset: 3000, lastWriteAt: expect.any(Date) });
      const got = await opened(s, id);
      expect(got?.offset).toBe(3000);
      expect(got?.lastWriteAt).toBeInstanceOf(Date);
      await upload.finalize();
      expect(upload.info.finalized).toBe(true);
      expect(await readBack(s, id)).toBe(await sha256(data));
    });

    it('stays byte-exact over many small writes', async () => {
      const data = randomData(300 * 1500);
      const [s, { info }] = await created(data.length);
      let offset = 0;
      for (const chunk of chunked(data, [1500])) offset = await (await handle(s, info.id)).write(offset, bodyOf([chunk]));
      expect(offset).toBe(data.length);
      await (await handle(s, info.id)).finalize();
      expect(await readBack(s, info.id)).toBe(await sha256(data));
    });

    it('stays byte-exact over large uneven writes across part boundaries', async () => {
      const data = randomData(12 * MiB + 321);
      const [s, { info }] = await created(data.length);
      const cuts = [3 * MiB + 17, 8 * MiB + 18, data.length];
      let offset = 0;
      for (const end of cuts) {
        const piece = data.subarray(offset, end);
        offset = await (await handle(s, info.id)).write(offset, bodyOf(chunked(piece, [64 * 1024, 1000, 200_000])));
        expect(offset).toBe(end);
        expect((await opened(s, info.id))?.offset).toBe(end);
      }
      await (await handle(s, info.id)).finalize();
      expect(await readBack(s, info.id)).toBe(await sha256(data));
    });

    it('frees a chunk only once it no longer needs its bytes', async () => {
      const data = randomData(9 * MiB + 4321);
      const [s, upload] = await created(data.length);
      const { body, freed } = poisoningBody(chunked(data, [64 * 1024, 1000, 300_000]));
      expect(await upload.write(0, body)).toBe(data.length);
      if (options.freesChunks) expect(freed()).toBe(data.length);
      await upload.finalize();
      expect(await readBack(s, upload.info.id)).toBe(await sha256(data));
    });

    it('writes through an opened handle and keeps writing through it', async () => {
      const data = randomData(9 * MiB + 777);
      const [s, { info }] = await created(data.length);
      let offset = await (await handle(s, info.id)).write(0, bodyOf([data.subarray(0, 1000)]));
      for (const end of [5 * MiB + 3, 8 * MiB + 1]) {
        const upload = await handle(s, info.id);
        expect(upload.info.offset).toBe(offset);
        offset = await upload.write(offset, bodyOf(chunked(data.subarray(offset, end), [64 * 1024, 999])));
        expect(offset).toBe(end);
        expect(upload.info.offset).toBe(end);
      }
      const upload = await handle(s, info.id);
      await expect(upload.write(10, bodyOf([randomData(1)]))).rejects.toSatisfy((e) =>
        isTusError(e, 'offset_mismatch'),
      );
      expect(await upload.write(offset, bodyOf([data.subarray(offset, offset + 5)]))).toBe(offset + 5);
      expect(await upload.write(offset + 5, bodyOf([data.subarray(offset + 5)]))).toBe(data.length);
      await upload.finalize();
      expect(await readBack(s, info.id)).toBe(await sha256(data));
    });

    it('refuses a write at the wrong offset and keeps the offset', async () => {
      const [s, upload] = await created(1000);
      await upload.write(0, bodyOf([randomData(100)]));
      await expect((await handle(s, upload.info.id)).write(50, bodyOf([randomData(10)]))).rejects.toSatisfy((e) =>
        isTusError(e, 'offset_mismatch'),
      );
      expect((await opened(s, upload.info.id))?.offset).toBe(100);
    });

    for (const failAt of [700 * 1024, 5 * MiB + 123 * 1024]) {
      it(`keeps every byte of a body that fails after ${failAt} bytes`, async () => {
        const data = randomData(failAt + 2 * MiB);
        const [, upload] = await created(data.length);
        const { info } = upload;
        async function* failing(): AsyncIterable<Uint8Array> {
          yield* chunked(data.subarray(0, failAt), [256 * 1024]);
          throw new Error('connection reset');
        }
        await expect(upload.write(0, failing())).rejects.toThrow('connection reset');
        const fresh = await store();
        const resumed = await handle(fresh, info.id);
        expect(resumed.info.offset).toBe(failAt);
        expect(await resumed.write(failAt, bodyOf([data.subarray(failAt)]))).toBe(data.length);
        await resumed.finalize();
        expect(await readBack(fresh, info.id)).toBe(await sha256(data));
      });
    }

    it('shows a new store instance the same upload, offset and media', async () => {
      const [, upload] = await created(5000, { k: 'v' });
      await upload.write(0, bodyOf([randomData(1234)]));
      await upload.update({ media: { type: 'video', mime: 'video/mp4', ext: 'mp4' } });
      expect(upload.info.media).toEqual({ type: 'video', mime: 'video/mp4', ext: 'mp4' });
      const other = await store();
      expect(await opened(other, upload.info.id)).toMatchObject({
        offset: 1234,
        size: 5000,
        metadata: { k: 'v' },
        media: { type: 'video', mime: 'video/mp4', ext: 'mp4' },
      });
    });

    it('removes idempotently and leaves nothing behind', async () => {
      const [s, upload] = await created(10 * MiB);
      await upload.write(0, bodyOf(chunked(randomData(6 * MiB + 5), [MiB])));
      const again = await handle(s, upload.info.id);
      await upload.remove();
      await upload.remove();
      await again.remove();
      await expectGone(s, upload.info.id);
    });

    it('forgets a removed upload on every instance, and a stale handle removes harmlessly', async () => {
      const [s, upload] = await created(5000);
      await upload.write(0, bodyOf([randomData(1000)]));
      const other = await store();
      const stale = await handle(other, upload.info.id);
      await upload.remove();
      expect(await other.open(upload.info.id)).toBeUndefined();
      // The handle-era "remove of an unknown id": its upload is gone by the time it removes.
      await stale.remove();
      await expectGone(s, upload.info.id);
      expect(await other.open(upload.info.id)).toBeUndefined();
    });

    it('leaves nothing behind when removed during a write', async () => {
      const [s, upload] = await created(20 * MiB);
      const { info } = upload;
      let release!: () => void;
      const gate = new Promise<void>((r) => (release = r));
      let pulled!: () => void;
      const firstPulled = new Promise<void>((r) => (pulled = r));
      async function* body(): AsyncIterable<Uint8Array> {
        yield randomData(6 * MiB);
        pulled();
        await gate;
        yield randomData(MiB);
      }
      // Settled at once: a store may reject this write, and must not leave an unhandled rejection.
      const writing = Promise.allSettled([upload.write(0, body())]);
      await firstPulled;
      await (await handle(s, info.id)).remove();
      release();
      await writing;
      await expectGone(s, info.id);
    });

    it('finalizes idempotently and reads back whole and by range', async () => {
      const data = randomData(MiB + 77);
      const [s, upload] = await created(data.length);
      const { info } = upload;
      await upload.write(0, bodyOf(chunked(data, [100_000])));
      const object = await upload.finalize();
      expect(object.size).toBe(data.length);
      expect(typeof object.location).toBe('string');
      expect((await upload.finalize()).location).toBe(object.location);
      expect((await (await handle(s, info.id)).finalize()).location).toBe(object.location);
      expect(await opened(await store(), info.id)).toMatchObject({ offset: data.length, finalized: true });
      expect(await readBack(s, info.id)).toBe(await sha256(data));
      if (isReadableStore(s)) {
        expect(await sha256(await s.read(info.id, { start: 10, end: 99_999 }))).toBe(
          await sha256(data.subarray(10, 100_000)),
        );
      }
    });

    it('lists live uploads with their last write time (expiry)', async (ctx) => {
      const s = await store();
      if (!isListableStore(s)) return ctx.skip();
      const [, a] = await created(500);
      const [, b] = await created(500);
      await a.write(0, bodyOf([randomData(10)]));
      await b.remove();
      const listed = new Map<string, UploadInfo>();
      for await (const u of s.list()) {
        expect(u).not.toHaveProperty('error');
        if (!('error' in u)) listed.set(u.id, u);
      }
      expect(listed.get(a.info.id)?.lastWriteAt).toBeInstanceOf(Date);
      expect(listed.get(a.info.id)?.offset).toBe(10);
      expect(listed.has(b.info.id)).toBe(false);
    });

    it('takes an upload of deferred length and its length once declared, the last bytes left short of a part', async (ctx) => {
      const s = await store();
      if (!isLengthDeferringStore(s)) return ctx.skip();
      const data = randomData(12 * MiB + 321);
      const id = newId();
      const upload = await s.create({ id, size: undefined, metadata: {}, createdAt: new Date() });
      expect(upload.info).toMatchObject({ size: undefined, offset: 0 });
      let offset = 0;
      for (const end of [3 * MiB + 17, 8 * MiB + 18, data.length]) {
        offset = await (await handle(s, id)).write(offset, bodyOf(chunked(data.subarray(offset, end), [64 * 1024, 1000])));
        expect(offset).toBe(end);
        expect(await opened(await store(), id)).toMatchObject({ size: undefined, offset: end });
      }
      if (isListableStore(s)) {
        const listed = [];
        for await (const u of s.list()) if (u.id === id) listed.push(u);
        expect(listed).toMatchObject([{ size: undefined, offset: data.length }]);
      }
      // Declared after the last byte: an empty write completes it.
      const declaring = await handle(await store(), id);
      await declaring.update({ size: data.length });
      expect(declaring.info.size).toBe(data.length);
      expect(await declaring.write(data.length, bodyOf([]))).toBe(data.length);
      expect(await opened(await store(), id)).toMatchObject({ size: data.length, offset: data.length });
      expect((await declaring.finalize()).size).toBe(data.length);
      expect(await opened(await store(), id)).toMatchObject({ size: data.length, offset: data.length, finalized: true });
      expect(await readBack(s, id)).toBe(await sha256(data));
    });

    it('takes a deferred length declared before the last bytes, and removes such an upload entirely', async (ctx) => {
      const s = await store();
      if (!isLengthDeferringStore(s)) return ctx.skip();
      const data = randomData(6 * MiB + 5);
      const upload = await s.create({ id: newId(), size: undefined, metadata: { k: 'v' }, createdAt: new Date() });
      const { id } = upload.info;
      expect(await upload.write(0, bodyOf(chunked(data.subarray(0, MiB), [100_000])))).toBe(MiB);
      const declaring = await handle(s, id);
      await declaring.update({ size: data.length });
      expect(await opened(await store(), id)).toMatchObject({ size: data.length, offset: MiB, metadata: { k: 'v' } });
      expect(await declaring.write(MiB, bodyOf(chunked(data.subarray(MiB), [MiB])))).toBe(data.length);
      await declaring.finalize();
      expect(await readBack(s, id)).toBe(await sha256(data));
      const other = await s.create({ id: newId(), size: undefined, metadata: {}, createdAt: new Date() });
      await other.write(0, bodyOf([randomData(6 * MiB)]));
      await (await handle(s, other.info.id)).remove();
      await expectGone(s, other.info.id);
    });

    it('keeps two concurrent uploads separate', async () => {
      const one = randomData(6 * MiB + 1);
      const two = randomData(6 * MiB + 2);
      const [s, a] = await created(one.length);
      const [, b] = await created(two.length);
      await Promise.all([a.write(0, bodyOf(chunked(one, [300_000]))), b.write(0, bodyOf(chunked(two, [170_000])))]);
      await Promise.all([a.finalize(), b.finalize()]);
      expect(await readBack(s, a.info.id)).toBe(await sha256(one));
      expect(await readBack(s, b.info.id)).toBe(await sha256(two));
    });

    concatenationCases({ store, newId, leftovers: options.leftovers, offered: options.concatenation ?? true });
  });
}

/**
 * A body of fresh copies whose `free` zeroes and detaches a chunk at once:
 * a store that frees a chunk before it is done with it stores zeros or fails.
 */
function poisoningBody(chunks: Iterable<Uint8Array>): { body: UploadBody; freed: () => number } {
  let freed = 0;
  const body: UploadBody = {
    [Symbol.asyncIterator]: () => bodyOf(Array.from(chunks, (chunk) => new Uint8Array(chunk)))[Symbol.asyncIterator](),
    free: (chunk) => {
      freed += chunk.byteLength;
      chunk.fill(0);
      structuredClone(chunk.buffer, { transfer: [chunk.buffer as ArrayBuffer] });
    },
  };
  return { body, freed: () => freed };
}
