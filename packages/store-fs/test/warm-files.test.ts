import { mkdtempSync, readdirSync, readlinkSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bodyOf, createTus, isTusError } from '@tuskit/core';
import { openUpload, patchAsCore, randomData, sha256 } from '@tuskit/core/testing';
import { describe, expect, it, vi } from 'vitest';
import { MAX_FLUSHES, OpenFiles } from '../src/open-files.js';
import { FileStore, type FileStoreOptions } from '../src/index.js';

let counter = 0;

function setup(options: Partial<FileStoreOptions> = {}) {
  const directory = mkdtempSync(join(tmpdir(), 'tuskit-fs-warm-'));
  const store = new FileStore({ directory, ...options });
  const create = async (size: number) => {
    const id = `warm-${counter++}`;
    await store.create({ id, size, metadata: {}, createdAt: new Date() });
    return id;
  };
  return { directory, store, create };
}

/** Descriptors this process holds on `path`, read from /proc rather than trusted from the store. */
function openDescriptors(path: string): number {
  return readdirSync('/proc/self/fd').filter((fd) => {
    try {
      return readlinkSync(`/proc/self/fd/${fd}`) === path;
    } catch {
      return false;
    }
  }).length;
}

/** A PATCH as the core makes it: `get` under the lock, then `write` with what it loaded. */
function patch(store: FileStore, id: string, bytes: Uint8Array): Promise<number> {
  return patchAsCore(store, id, () => bytes);
}

describe('FileStore warm files', () => {
  it('keeps the data file open between PATCHes and closes it at finalization', async () => {
    const { store, create } = setup();
    const data = randomData(300_000);
    const id = await create(data.length);
    await patch(store, id, data.subarray(0, 100_000));
    expect(openDescriptors(store.dataPath(id))).toBe(1);
    await patch(store, id, data.subarray(100_000, 200_000));
    expect(openDescriptors(store.dataPath(id))).toBe(1);
    expect(await patch(store, id, data.subarray(200_000))).toBe(data.length);
    await (await store.open(id))?.finalize();
    expect(openDescriptors(store.dataPath(id))).toBe(0);
    expect(await sha256(readFileSync(store.dataPath(id)))).toBe(await sha256(data));
  });

  it('closes its files when the engine closes, and keeps none open afterwards', async () => {
    const { store, create } = setup();
    const tus = createTus({ store });
    const id = await create(1000);
    await patch(store, id, randomData(100));
    expect(openDescriptors(store.dataPath(id))).toBe(1);
    await tus.close();
    expect(openDescriptors(store.dataPath(id))).toBe(0);
    expect(await patch(store, id, randomData(100))).toBe(200);
    expect(openDescriptors(store.dataPath(id))).toBe(0);
  });

  it('never keeps more than maxOpenFiles files open', async () => {
    const { store, create, directory } = setup({ maxOpenFiles: 2 });
    const ids = [await create(100), await create(100), await create(100), await create(100)];
    for (const id of ids) await patch(store, id, randomData(10));
    const open = ids.map((id) => openDescriptors(join(directory, id)));
    expect(open.reduce((a, b) => a + b)).toBe(2);
    expect(open.slice(2)).toEqual([1, 1]);
    for (const id of ids) expect(await patch(store, id, randomData(10))).toBe(20);
  });

  it('closes a file left idle', async () => {
    const { store, create } = setup({ openFileIdleMs: 1 });
    const id = await create(100);
    await patch(store, id, randomData(10));
    expect(openDescriptors(store.dataPath(id))).toBe(1);
    await vi.waitFor(() => expect(openDescriptors(store.dataPath(id))).toBe(0), { timeout: 5000, interval: 50 });
  });

  it("sees another instance's writes, record changes and removal", async () => {
    const { store: a, create, directory } = setup();
    const b = new FileStore({ directory });
    const data = randomData(3000);
    const id = await create(data.length);
    await patch(a, id, data.subarray(0, 1000));
    await patch(b, id, data.subarray(1000, 2000));
    expect((await a.open(id))?.info.offset).toBe(2000);
    await (await openUpload(b, id)).update({ media: { mime: 'audio/wav', ext: 'wav', type: 'audio' } });
    expect((await a.open(id))?.info.media?.mime).toBe('audio/wav');
    expect(await patch(a, id, data.subarray(2000))).toBe(3000);
    expect(await sha256(readFileSync(a.dataPath(id)))).toBe(await sha256(data));

    await (await openUpload(b, id)).remove();
    expect(await a.open(id)).toBeUndefined();
    expect(readdirSync(directory)).toEqual([]);
  });

  it('writes to the file now on disk, not through a handle on a replaced one', async () => {
    const { store, create } = setup();
    const data = randomData(2000);
    const id = await create(data.length);
    await patch(store, id, data.subarray(0, 1000));
    const path = store.dataPath(id);
    // Another process restores the file: same bytes, new inode.
    const bytes = readFileSync(path);
    rmSync(path);
    writeFileSync(path, bytes);
    expect(await patch(store, id, data.subarray(1000))).toBe(data.length);
    expect(await sha256(readFileSync(path))).toBe(await sha256(data));
  });

  it('refuses a write through a handle at an offset that is not the one loaded', async () => {
    const { store, create } = setup();
    const id = await create(1000);
    await patch(store, id, randomData(100));
    const loaded = await store.open(id);
    await expect(loaded?.write(50, bodyOf([randomData(1)]))).rejects.toSatisfy((e) =>
      isTusError(e, 'offset_mismatch'),
    );
    expect((await store.open(id))?.info.offset).toBe(100);
  });
});

describe('OpenFiles', () => {
  function failingHandle(error: Error): FileHandle {
    return { datasync: () => Promise.reject(error), close: () => Promise.resolve() } as unknown as FileHandle;
  }

  it('keeps a failed background flush until the upload is forgotten', async () => {
    const files = new OpenFiles({ maxOpen: 4, idleMs: 60_000, writeBehindBytes: 10 });
    const eio = Object.assign(new Error('EIO: i/o error, fdatasync'), { code: 'EIO' });
    const file = files.adopt('a', failingHandle(eio), 1, 0);
    files.writeBehind(file, 5);
    expect(file.flushing).toBeUndefined();
    files.writeBehind(file, 10);
    expect(file.flushing).toBeDefined();
    files.release(file);
    // A later fsync on a new descriptor would succeed: the failure must still be reported, every time.
    expect(await files.end('a')).toBe(eio);
    expect(await files.end('a')).toBe(eio);
    files.forget('a');
    expect(await files.end('a')).toBeUndefined();
  });

  function pendingHandle(): { handle: FileHandle; flushes: number; settle: () => void } {
    const settlers: (() => void)[] = [];
    const state = {
      flushes: 0,
      settle: () => settlers.shift()?.(),
      handle: {
        datasync: () => {
          state.flushes += 1;
          return new Promise<void>((r) => settlers.push(r));
        },
        close: async () => {},
      } as unknown as FileHandle,
    };
    return state;
  }

  /** Open files that flush once 10 bytes are unflushed. */
  function writeBehindFiles(): OpenFiles {
    return new OpenFiles({ maxOpen: 8, idleMs: 60_000, writeBehindBytes: 10 });
  }

  /** A file adopted by `files` whose flushes wait for `settle`. */
  function adoptPending(files: OpenFiles, id: string, ino: number, position = 0) {
    const pending = pendingHandle();
    return [files.adopt(id, pending.handle, ino, position), pending] as const;
  }

  it('flushes the file holding most unflushed bytes once the open files together pass the threshold', () => {
    const files = writeBehindFiles();
    const [fileA, a] = adoptPending(files, 'a', 1, 100);
    const [fileB, b] = adoptPending(files, 'b', 2);
    files.writeBehind(fileA, 103);
    files.writeBehind(fileB, 6);
    // 9 bytes between them: under the threshold, no file reaches it on its own either.
    expect([a.flushes, b.flushes]).toEqual([0, 0]);
    files.writeBehind(fileA, 104);
    expect([a.flushes, b.flushes]).toEqual([0, 1]);
    expect(fileB.flushedTo).toBe(6);
    expect(fileA.flushing).toBeUndefined();
  });

  it('runs two background flushes at a time, then the dirtiest file left', async () => {
    expect(MAX_FLUSHES).toBe(2);
    const files = writeBehindFiles();
    const adopted = [0, 1, 2].map((i) => adoptPending(files, `u${i}`, i + 1));
    const open = adopted.map(([file]) => file);
    const handles = adopted.map(([, pending]) => pending);
    for (const [i, file] of open.entries()) files.writeBehind(file, 10 + i);
    expect(handles.map((h) => h.flushes)).toEqual([1, 1, 0]);
    const first = open[0]!;
    handles[0]!.settle();
    await first.flushing;
    expect(first.flushing).toBeUndefined();
    // The next report starts the flush of the file still holding unflushed bytes, whichever reports.
    files.writeBehind(first, 10);
    expect(open[2]!.flushing).toBeDefined();
    expect(handles[2]!.flushes).toBe(1);
  });

  it('flushes a file that gets bytes while every other dirty file is being flushed, and the first again once its flush ends', async () => {
    const files = writeBehindFiles();
    const [fileA, a] = adoptPending(files, 'a', 1);
    files.writeBehind(fileA, 10);
    files.writeBehind(fileA, 25);
    expect(a.flushes).toBe(1);
    const [fileB, b] = adoptPending(files, 'b', 2);
    files.writeBehind(fileB, 3);
    expect(b.flushes).toBe(1);
    const flushingA = fileA.flushing;
    a.settle();
    await flushingA;
    files.writeBehind(fileA, 26);
    expect(a.flushes).toBe(2);
    expect(fileA.flushedTo).toBe(26);
  });

  it('stops counting the unflushed bytes of a closed file', async () => {
    const files = writeBehindFiles();
    const [fileA] = adoptPending(files, 'a', 1);
    files.writeBehind(fileA, 9);
    files.release(fileA);
    await files.end('a');
    const [fileB, b] = adoptPending(files, 'b', 2);
    files.writeBehind(fileB, 9);
    expect(b.flushes).toBe(0);
    files.writeBehind(fileB, 10);
    expect(b.flushes).toBe(1);
  });

  it('counts the files in use, so concurrent writes can share the gathering budget', () => {
    const files = new OpenFiles({ maxOpen: 4, idleMs: 60_000, writeBehindBytes: 10 });
    const handle = { close: async () => {} } as unknown as FileHandle;
    const a = files.adopt('a', handle, 1, 0);
    const b = files.adopt('b', handle, 2, 0);
    expect(files.busy).toBe(2);
    files.release(a);
    expect(files.busy).toBe(1);
    expect(files.take('a', 1)).toBe(a);
    expect(files.busy).toBe(2);
    files.release(a);
    files.release(b);
    expect(files.busy).toBe(0);
  });
});
