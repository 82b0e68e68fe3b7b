import { mkdtempSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { patchAsCore, randomData } from '@tuskit/core/testing';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { writeMetadata, type MetadataRecord } from '../src/metadata-file.js';
import { RecordCache } from '../src/record-cache.js';
import { FileStore } from '../src/index.js';

vi.mock('node:fs/promises', async (importOriginal) => {
  const actual = await importOriginal<typeof import('node:fs/promises')>();
  return { ...actual, readFile: vi.fn(actual.readFile) };
});

/** The metadata files read from disk since the test began. */
function recordReads(): string[] {
  return vi.mocked(readFile).mock.calls.map(([path]) => String(path)).filter((path) => path.endsWith('.json'));
}

function record(id: string, finalized = false): MetadataRecord {
  return { id, size: 10, metadata: { filename: 'a.wav' }, createdAt: new Date(0).toISOString(), finalized };
}

const directory = mkdtempSync(join(tmpdir(), 'tuskit-fs-records-'));

beforeEach(() => {
  vi.mocked(readFile).mockClear();
});

describe('RecordCache', () => {
  it.each([
    ['created (exclusive)', true],
    ['replaced', false],
  ])('does not read back a record this process %s', async (_, exclusive) => {
    const path = join(directory, `mine-${String(exclusive)}.json`);
    const cache = new RecordCache(16);
    const written = record('mine');
    cache.remember('mine', await writeMetadata(path, written, exclusive), written);
    expect(await cache.read('mine', path, await stat(path))).toBe(written);
    expect(recordReads()).toEqual([]);
  });

  it('reads a record another process wrote after the one it remembers, once', async () => {
    const path = join(directory, 'shared.json');
    const cache = new RecordCache(16);
    const mine = record('shared');
    cache.remember('shared', await writeMetadata(path, mine, true), mine);
    await writeMetadata(path, record('shared', true));
    expect(await cache.read('shared', path, await stat(path))).toMatchObject({ finalized: true });
    expect(await cache.read('shared', path, await stat(path))).toMatchObject({ finalized: true });
    expect(recordReads()).toEqual([path]);
  });

  it('forgets the oldest record beyond its size', async () => {
    const cache = new RecordCache(1);
    const [a, b] = [join(directory, 'a.json'), join(directory, 'b.json')];
    cache.remember('a', await writeMetadata(a, record('a')), record('a'));
    cache.remember('b', await writeMetadata(b, record('b')), record('b'));
    await cache.read('b', b, await stat(b));
    await cache.read('a', a, await stat(a));
    expect(recordReads()).toEqual([a]);
  });
});

describe('FileStore records', () => {
  it('reads back no record it wrote itself, and reads one another instance wrote', async () => {
    const store = new FileStore({ directory });
    const data = randomData(2000);
    const created = await store.create({ id: 'own', size: data.length, metadata: { filename: 'a.wav' }, createdAt: new Date() });
    expect(await patchAsCore(store, 'own', () => data.subarray(0, 1000))).toBe(1000);
    await created.update({ media: { mime: 'audio/wav', ext: 'wav', type: 'audio' } });
    expect(await patchAsCore(store, 'own', () => data.subarray(1000))).toBe(2000);
    await created.finalize();
    expect((await store.open('own'))?.info).toMatchObject({ offset: 2000, finalized: true, media: { mime: 'audio/wav' } });
    expect(recordReads()).toEqual([]);

    const media = { mime: 'audio/wav', ext: 'wav', type: 'audio' as const };
    await created.update({ media });
    media.mime = 'changed by the caller';
    const info = (await store.open('own'))?.info;
    expect(info?.media?.mime).toBe('audio/wav');
    if (info?.media) info.media.mime = 'changed by a reader';
    expect((await store.open('own'))?.info.media?.mime).toBe('audio/wav');

    const other = new FileStore({ directory });
    expect((await other.open('own'))?.info).toMatchObject({ finalized: true, metadata: { filename: 'a.wav' } });
    expect(recordReads()).toEqual([join(directory, 'own.json')]);
  });
});
