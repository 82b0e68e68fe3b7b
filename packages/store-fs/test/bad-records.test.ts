import { existsSync, utimesSync, writeFileSync } from 'node:fs';
import * as fsPromises from 'node:fs/promises';
import { join } from 'node:path';
import { createTus, isTusError } from '@tuskit/core';
import { expect, it, vi } from 'vitest';
import { FileStore } from '../src/index.js';
import { testDirectory } from './support/scratch.js';

vi.mock('node:fs/promises', async (importOriginal) => {
  const actual = await importOriginal<typeof fsPromises>();
  return { ...actual, readdir: vi.fn(actual.readdir) };
});

const HOUR_MS = 60 * 60 * 1000;

it('the reaper reports an unreadable record that sorts first, skips it and reaps the rest; HEAD on it is a named 500, reported once', async () => {
  const directory = testDirectory('tuskit-fs-bad-record-');
  const errors: unknown[] = [];
  const expired: string[] = [];
  const tus = createTus({
    store: new FileStore({ directory }),
    accept: false,
    relativeLocation: true,
    uploadTtlMs: 1000,
    onError: (error) => errors.push(error),
    hooks: { onExpired: ({ upload }) => void expired.push(upload.id) },
  });
  await tus.createUpload({ size: 10, id: 'zz-expired' });
  writeFileSync(join(directory, '0-broken.json'), '{"id":"0-broken","si');
  writeFileSync(join(directory, '1-not-a-record.json'), '[1,2,3]');

  const reaped = await tus.reap(new Date(Date.now() + 2000));
  expect(reaped).toEqual(['zz-expired']);
  expect(expired).toEqual(['zz-expired']);
  expect(errors).toHaveLength(2);
  expect(errors.every((e) => isTusError(e, 'upload_unreadable'))).toBe(true);

  errors.length = 0;
  const head = await tus.handle({ method: 'HEAD', path: '/0-broken', header: (n) => (n === 'tus-resumable' ? '1.0.0' : undefined), context: null });
  expect(head.status).toBe(500);
  expect(JSON.parse(String(head.body))).toEqual({ error: { code: 'upload_unreadable', message: expect.any(String) } });
  expect(errors).toHaveLength(1);
  expect(isTusError(errors[0], 'upload_unreadable')).toBe(true);
  await tus.close();
});

it('DELETE lists no directory, whatever the number of uploads, and removes both files of the upload', async () => {
  const directory = testDirectory('tuskit-fs-delete-');
  const store = new FileStore({ directory });
  const ids = ['a', 'b', 'c'];
  for (const id of ids) await store.create({ id, size: 10, metadata: {}, createdAt: new Date() });
  const readdir = vi.mocked(fsPromises.readdir);
  readdir.mockClear();
  const handle = await store.open('b');
  await handle?.remove();
  expect(readdir).not.toHaveBeenCalled();
  expect(existsSync(join(directory, 'b'))).toBe(false);
  expect(existsSync(join(directory, 'b.json'))).toBe(false);
  expect(await store.open('a')).toBeDefined();
  // The listing itself does read the directory: the spy sees the calls it is there to see.
  for await (const upload of store.list()) expect(upload.id).not.toBe('b');
  expect(readdir).toHaveBeenCalledTimes(1);
});

it('listing removes the temp files of record writes a killed process left, once an hour old, and keeps fresher ones', async () => {
  const directory = testDirectory('tuskit-fs-temps-');
  const store = new FileStore({ directory });
  await store.create({ id: 'a', size: 10, metadata: {}, createdAt: new Date() });
  const stale = join(directory, 'a.json.0123456789ab.tmp');
  const fresh = join(directory, 'a.json.ba9876543210.tmp');
  writeFileSync(stale, '{');
  writeFileSync(fresh, '{');
  const old = new Date(Date.now() - 2 * HOUR_MS);
  utimesSync(stale, old, old);
  const listed: string[] = [];
  for await (const upload of store.list()) listed.push(upload.id);
  expect(listed).toEqual(['a']);
  expect(existsSync(stale)).toBe(false);
  expect(existsSync(fresh)).toBe(true);
});
