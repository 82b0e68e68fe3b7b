// Completion is at-least-once: an upload whose bytes are all stored but whose completion a crash cut short
// reaches onComplete through the reaper or finishUpload, without any client.
import { describe, expect, it } from 'vitest';
import { bodyOf, createTus, MemoryStore, type StoredObject, type UploadInfo } from '../src/index.js';

function engine() {
  const store = new MemoryStore();
  const completed: Array<{ upload: UploadInfo; object: StoredObject }> = [];
  const tus = createTus({ store, basePath: '/v1/uploads', hooks: { onComplete: (event) => void completed.push(event) } });
  return { store, tus, completed };
}

/** An upload whose bytes the store holds, as a process killed before finalization leaves it. */
async function storedButNotFinalized(store: MemoryStore, id: string, size: number): Promise<void> {
  const handle = await store.create({ id, size, metadata: {}, createdAt: new Date() });
  await handle.write(0, bodyOf([new Uint8Array(size).fill(7)]));
}

describe('completion recovery', () => {
  it('the reaper finalizes a complete, unfinalized upload and calls onComplete once; incomplete ones are left alone', async () => {
    const { store, tus, completed } = engine();
    await storedButNotFinalized(store, 'cut-short', 100);
    const inProgress = await store.create({ id: 'in-progress', size: 100, metadata: {}, createdAt: new Date() });
    await inProgress.write(0, bodyOf([new Uint8Array(40)]));

    expect(await tus.reap()).toEqual([]);
    expect(completed.map((e) => [e.upload.id, e.upload.finalized, e.object.size])).toEqual([['cut-short', true, 100]]);
    expect((await store.open('cut-short'))?.info).toMatchObject({ finalized: true, offset: 100 });
    expect((await store.open('in-progress'))?.info).toMatchObject({ finalized: false, offset: 40 });

    await tus.reap();
    expect(completed).toHaveLength(1);
  });

  it('finishUpload delivers onComplete again for a finalized upload, and not for an incomplete or unknown one', async () => {
    const { store, tus, completed } = engine();
    await storedButNotFinalized(store, 'done', 64);
    await (await store.open('done'))!.finalize();
    const half = await store.create({ id: 'half', size: 64, metadata: {}, createdAt: new Date() });
    await half.write(0, bodyOf([new Uint8Array(10)]));

    expect(await tus.finishUpload('done')).toBe(true);
    expect(await tus.finishUpload('half')).toBe(false);
    expect(await tus.finishUpload('unknown')).toBe(false);
    expect(await tus.finishUpload('not an id')).toBe(false);
    expect(completed.map((e) => e.upload.id)).toEqual(['done']);
    expect((await store.open('done'))?.info).toMatchObject({ finalized: true, offset: 64 });
  });

  it('the reaper leaves a complete upload that a request holds to that request', async () => {
    const { store, tus, completed } = engine();
    await storedButNotFinalized(store, 'held', 64);
    const lock = await tus.locker.lock('held', { timeoutMs: 0, onReleaseRequested: () => {} });
    await tus.reap();
    expect(completed).toEqual([]);
    await lock.release();
    await tus.reap();
    expect(completed.map((e) => e.upload.id)).toEqual(['held']);
  });
});
