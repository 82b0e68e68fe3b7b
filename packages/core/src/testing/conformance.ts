import { describe, expect, it } from 'vitest';
import { bodyOf } from '../body.js';
import { isTusError } from '../errors.js';
import { isListableStore, isReadableStore, type DataStore, type UploadBody } from '../store.js';
import type { UploadInfo } from '../upload.js';
import { chunked, randomData, sha256 } from './bytes.js';

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

  async function created(size: number, metadata: Record<string, string> = {}): Promise<[DataStore, UploadInfo]> {
    const s = await store();
    const info = await s.create({ id: newId(), size, metadata, createdAt: new Date() });
    return [s, info];
  }

  async function readBack(s: DataStore, id: string): Promise<string> {
    if (!isReadableStore(s)) throw new Error('store cannot read back');
    return sha256(await s.read(id));
  }

  async function expectGone(s: DataStore, id: string): Promise<void> {
    expect(await s.get(id)).toBeUndefined();
    if (options.leftovers) expect(await options.leftovers(id)).toEqual([]);
  }

  describe(`${options.name} store conformance`, { timeout }, () => {
    it('creates an empty upload and reports it', async () => {
      const createdAt = new Date();
      const s = await store();
      const id = newId();
      const info = await s.create({ id, size: 1000, metadata: { name: 'a b.mp4' }, createdAt });
      expect(info).toMatchObject({ id, size: 1000, offset: 0, finalized: false, metadata: { name: 'a b.mp4' } });
      const got = await s.get(id);
      expect(got).toMatchObject({ id, size: 1000, offset: 0, finalized: false, metadata: { name: 'a b.mp4' } });
      expect(got?.createdAt.getTime()).toBe(createdAt.getTime());
      expect(got?.lastWriteAt).toBeUndefined();
    });

    it('refuses to create a known id', async () => {
      const [s, info] = await created(100);
      const again = s.create({ id: info.id, size: 100, metadata: {}, createdAt: new Date() });
      await expect(again).rejects.toSatisfy((e) => isTusError(e, 'upload_exists'));
    });

    it('answers undefined for an unknown id', async () => {
      expect(await (await store()).get(newId())).toBeUndefined();
    });

    it('appends writes and returns each new offset', async () => {
      const data = randomData(3000);
      const [s, info] = await created(data.length);
      expect(await s.write(info.id, 0, bodyOf([data.subarray(0, 1000)]))).toBe(1000);
      expect(await s.write(info.id, 1000, bodyOf([data.subarray(1000, 1500), data.subarray(1500, 3000)]))).toBe(3000);
      const got = await s.get(info.id);
      expect(got?.offset).toBe(3000);
      expect(got?.lastWriteAt).toBeInstanceOf(Date);
      await s.finalize(info.id);
      expect(await readBack(s, info.id)).toBe(await sha256(data));
    });

    it('stays byte-exact over many small writes', async () => {
      const data = randomData(300 * 1500);
      const [s, info] = await created(data.length);
      let offset = 0;
      for (const chunk of chunked(data, [1500])) offset = await s.write(info.id, offset, bodyOf([chunk]));
      expect(offset).toBe(data.length);
      await s.finalize(info.id);
      expect(await readBack(s, info.id)).toBe(await sha256(data));
    });

    it('stays byte-exact over large uneven writes across part boundaries', async () => {
      const data = randomData(12 * MiB + 321);
      const [s, info] = await created(data.length);
      const cuts = [3 * MiB + 17, 8 * MiB + 18, data.length];
      let offset = 0;
      for (const end of cuts) {
        const piece = data.subarray(offset, end);
        offset = await s.write(info.id, offset, bodyOf(chunked(piece, [64 * 1024, 1000, 200_000])));
        expect(offset).toBe(end);
        expect((await s.get(info.id))?.offset).toBe(end);
      }
      await s.finalize(info.id);
      expect(await readBack(s, info.id)).toBe(await sha256(data));
    });

    it('frees a chunk only once it no longer needs its bytes', async () => {
      const data = randomData(9 * MiB + 4321);
      const [s, info] = await created(data.length);
      const { body, freed } = poisoningBody(chunked(data, [64 * 1024, 1000, 300_000]));
      expect(await s.write(info.id, 0, body)).toBe(data.length);
      if (options.freesChunks) expect(freed()).toBe(data.length);
      await s.finalize(info.id);
      expect(await readBack(s, info.id)).toBe(await sha256(data));
    });

    it('resumes from the upload get loaded when the core passes it to write', async () => {
      const data = randomData(9 * MiB + 777);
      const [s, info] = await created(data.length);
      let offset = await s.write(info.id, 0, bodyOf([data.subarray(0, 1000)]));
      for (const end of [5 * MiB + 3, 8 * MiB + 1, data.length]) {
        const loaded = await s.get(info.id);
        const piece = data.subarray(offset, end);
        offset = await s.write(info.id, offset, bodyOf(chunked(piece, [64 * 1024, 999])), loaded);
        expect(offset).toBe(end);
      }
      const loaded = await s.get(info.id);
      await expect(s.write(info.id, 10, bodyOf([randomData(1)]), loaded)).rejects.toSatisfy((e) =>
        isTusError(e, 'offset_mismatch'),
      );
      await s.finalize(info.id);
      expect(await readBack(s, info.id)).toBe(await sha256(data));
    });

    it('refuses a write at the wrong offset and keeps the offset', async () => {
      const [s, info] = await created(1000);
      await s.write(info.id, 0, bodyOf([randomData(100)]));
      await expect(s.write(info.id, 50, bodyOf([randomData(10)]))).rejects.toSatisfy((e) =>
        isTusError(e, 'offset_mismatch'),
      );
      expect((await s.get(info.id))?.offset).toBe(100);
    });

    for (const failAt of [700 * 1024, 5 * MiB + 123 * 1024]) {
      it(`keeps every byte of a body that fails after ${failAt} bytes`, async () => {
        const data = randomData(failAt + 2 * MiB);
        const [s, info] = await created(data.length);
        async function* failing(): AsyncIterable<Uint8Array> {
          yield* chunked(data.subarray(0, failAt), [256 * 1024]);
          throw new Error('connection reset');
        }
        await expect(s.write(info.id, 0, failing())).rejects.toThrow('connection reset');
        const resumed = await (await store()).get(info.id);
        expect(resumed?.offset).toBe(failAt);
        const fresh = await store();
        expect(await fresh.write(info.id, failAt, bodyOf([data.subarray(failAt)]))).toBe(data.length);
        await fresh.finalize(info.id);
        expect(await readBack(fresh, info.id)).toBe(await sha256(data));
      });
    }

    it('shows a new store instance the same upload, offset and media', async () => {
      const [s, info] = await created(5000, { k: 'v' });
      await s.write(info.id, 0, bodyOf([randomData(1234)]));
      await s.update(info.id, { media: { type: 'video', mime: 'video/mp4', ext: 'mp4' } });
      const other = await store();
      expect(await other.get(info.id)).toMatchObject({
        offset: 1234,
        size: 5000,
        metadata: { k: 'v' },
        media: { type: 'video', mime: 'video/mp4', ext: 'mp4' },
      });
    });

    it('removes idempotently and leaves nothing behind', async () => {
      const [s, info] = await created(10 * MiB);
      await s.write(info.id, 0, bodyOf(chunked(randomData(6 * MiB + 5), [MiB])));
      await s.remove(info.id);
      await s.remove(info.id);
      await s.remove(newId());
      await expectGone(s, info.id);
    });

    it('leaves nothing behind when removed during a write', async () => {
      const [s, info] = await created(20 * MiB);
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
      const writing = Promise.allSettled([s.write(info.id, 0, body())]);
      await firstPulled;
      await s.remove(info.id);
      release();
      await writing;
      await expectGone(s, info.id);
    });

    it('finalizes idempotently and reads back whole and by range', async () => {
      const data = randomData(MiB + 77);
      const [s, info] = await created(data.length);
      await s.write(info.id, 0, bodyOf(chunked(data, [100_000])));
      const object = await s.finalize(info.id);
      expect(object.size).toBe(data.length);
      expect(typeof object.location).toBe('string');
      expect((await s.finalize(info.id)).location).toBe(object.location);
      expect(await (await store()).get(info.id)).toMatchObject({ offset: data.length, finalized: true });
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
      await s.write(a.id, 0, bodyOf([randomData(10)]));
      await s.remove(b.id);
      const listed = new Map<string, UploadInfo>();
      for await (const u of s.list()) listed.set(u.id, u);
      expect(listed.get(a.id)?.lastWriteAt).toBeInstanceOf(Date);
      expect(listed.get(a.id)?.offset).toBe(10);
      expect(listed.has(b.id)).toBe(false);
    });

    it('keeps two concurrent uploads separate', async () => {
      const one = randomData(6 * MiB + 1);
      const two = randomData(6 * MiB + 2);
      const [s, a] = await created(one.length);
      const [, b] = await created(two.length);
      await Promise.all([
        s.write(a.id, 0, bodyOf(chunked(one, [300_000]))),
        s.write(b.id, 0, bodyOf(chunked(two, [170_000]))),
      ]);
      await Promise.all([s.finalize(a.id), s.finalize(b.id)]);
      expect(await readBack(s, a.id)).toBe(await sha256(one));
      expect(await readBack(s, b.id)).toBe(await sha256(two));
    });
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
