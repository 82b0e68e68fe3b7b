import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer } from 'node:http';
import { createTus, TusError, isTusError, type Tus } from '@tuskit/core';
import { toNodeHandler } from '@tuskit/core/node';
import { listenOnLoopback, randomData, sha256 } from '@tuskit/core/testing';
import { TOOLS, describeWithTool, type ToolAvailability } from '@tuskit/testkit';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { FileStore } from '../src/index.js';
import { storageError } from '../src/storage-errors.js';

const KiB = 1024;
const MiB = 1024 * KiB;

/** A 1 MiB tmpfs to fill, mounted now when this process may mount. */
function mountSmallDisk(): { availability: ToolAvailability; directory: string } {
  const directory = mkdtempSync(join(tmpdir(), 'tuskit-fs-full-'));
  const mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', directory], { encoding: 'utf8' });
  if (mounted.error === undefined && mounted.status === 0) return { availability: { available: true }, directory };
  rmSync(directory, { recursive: true, force: true });
  const why = mounted.error ? ((mounted.error as NodeJS.ErrnoException).code ?? mounted.error.message) : mounted.stderr.trim();
  return { availability: { available: false, reason: `\`mount -t tmpfs\` failed (${why})` }, directory };
}

it('ENOSPC and EDQUOT are storage_full (507), with the errno error as cause; other errors pass unchanged', () => {
  for (const code of ['ENOSPC', 'EDQUOT']) {
    const errno = Object.assign(new Error(`${code}: no space`), { code });
    const mapped = storageError(errno);
    expect(isTusError(mapped, 'storage_full')).toBe(true);
    expect((mapped as TusError).status).toBe(507);
    expect((mapped as TusError).cause).toBe(errno);
  }
  const other = Object.assign(new Error('EIO'), { code: 'EIO' });
  expect(storageError(other)).toBe(other);
});

const disk = mountSmallDisk();

describeWithTool(TOOLS.tmpfs, disk.availability, 'a full disk (a real 1 MiB tmpfs)', () => {
  const { directory } = disk;
  const errors: unknown[] = [];
  let tus: Tus;
  let origin = '';
  let close: () => Promise<void>;

  beforeAll(async () => {
    tus = createTus({
      store: new FileStore({ directory }),
      basePath: '/files',
      accept: false,
      creation: true,
      onError: (error) => errors.push(error),
    });
    ({ origin, close } = await listenOnLoopback(createServer(toNodeHandler(tus))));
  });

  afterAll(async () => {
    await tus.close();
    await close();
    spawnSync('umount', [directory]);
    rmSync(directory, { recursive: true, force: true });
  });

  const tusHeaders = { 'tus-resumable': '1.0.0' };
  const patch = (id: string, offset: number, body: Uint8Array) =>
    fetch(`${origin}/files/${id}`, {
      method: 'PATCH',
      headers: { ...tusHeaders, 'content-type': 'application/offset+octet-stream', 'upload-offset': String(offset) },
      body,
    });
  const leftovers = () => readdirSync(directory).filter((name) => name.endsWith('.tmp'));

  it('answers 507 storage_full with the durable offset, creates nothing more, and resumes byte-exact once there is room', async () => {
    const data = randomData(2 * MiB);
    const { id } = await tus.createUpload({ size: data.length, origin });

    const full = await patch(id, 0, data.subarray(0, 1536 * KiB));
    expect(full.status).toBe(507);
    expect(await full.json()).toEqual({ error: { code: 'storage_full', message: expect.any(String) } });
    const stored = Number(full.headers.get('upload-offset'));
    expect(stored).toBeGreaterThan(0);
    expect(stored).toBeLessThan(1536 * KiB);
    // Every byte reported is on disk, and they are the first bytes sent.
    expect(readFileSync(join(directory, id)).equals(data.subarray(0, stored))).toBe(true);
    expect(errors.filter((e) => isTusError(e, 'storage_full'))).toHaveLength(1);

    const head = await fetch(`${origin}/files/${id}`, { method: 'HEAD', headers: tusHeaders });
    expect(head.status).toBe(200);
    expect(head.headers.get('upload-offset')).toBe(String(stored));

    // Creating while the disk is full: refused, and no record, data file or temp file is left.
    const before = readdirSync(directory).sort();
    await expect(tus.createUpload({ size: 10, id: 'while-full' })).rejects.toSatisfy((e) => isTusError(e, 'storage_full'));
    const posted = await fetch(`${origin}/files`, { method: 'POST', headers: { ...tusHeaders, 'upload-length': '10' } });
    expect(posted.status).toBe(507);
    expect(readdirSync(directory).sort()).toEqual(before);
    expect(leftovers()).toEqual([]);

    expect(spawnSync('mount', ['-o', 'remount,size=4m', directory]).status).toBe(0);
    const resumed = await patch(id, stored, data.subarray(stored));
    expect(resumed.status).toBe(204);
    expect(resumed.headers.get('upload-offset')).toBe(String(data.length));
    expect(await sha256(readFileSync(join(directory, id)))).toBe(await sha256(data));
    expect(leftovers()).toEqual([]);
  });
});
