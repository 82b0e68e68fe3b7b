import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { createTus } from '@tuskit/core';
import { sha256, wavFile } from '@tuskit/core/testing';
import { afterEach, expect, it } from 'vitest';
import { FileStore } from '../src/index.js';

const MiB = 1024 * 1024;
const SERVER = fileURLToPath(new URL('./support/crash-server.mjs', import.meta.url));
const children: ChildProcess[] = [];

afterEach(() => {
  for (const child of children.splice(0)) child.kill('SIGKILL');
});

/** Starts the child server; resolves its port and a way to await a progress offset. */
async function startServer(directory: string) {
  const child = spawn(process.execPath, [SERVER], { env: { ...process.env, DATA_DIR: directory }, stdio: ['ignore', 'pipe', 'inherit'] });
  children.push(child);
  const lines = createInterface({ input: child.stdout! });
  const waiters: Array<{ offset: number; resolve: () => void }> = [];
  let port = 0;
  const ready = new Promise<void>((resolve) => {
    lines.on('line', (line) => {
      const [word, value] = line.split(' ');
      if (word === 'listening') {
        port = Number(value);
        resolve();
      }
      if (word === 'progress') {
        for (const w of waiters.filter((w) => Number(value) >= w.offset)) {
          waiters.splice(waiters.indexOf(w), 1);
          w.resolve();
        }
      }
    });
  });
  await ready;
  const progressed = (offset: number) => new Promise<void>((resolve) => waiters.push({ offset, resolve }));
  return { child, origin: `http://127.0.0.1:${port}`, progressed };
}

const tusHeaders = { 'tus-resumable': '1.0.0' };

it('survives a SIGKILL mid-PATCH: consistent offset after restart, sha256-exact completion', async () => {
  const directory = mkdtempSync(join(tmpdir(), 'tuskit-fs-crash-'));
  const data = wavFile(8 * MiB);
  const first = await startServer(directory);
  const host = createTus({ store: new FileStore({ directory }), basePath: '/files' });
  const { url } = await host.createUpload({ size: data.length, origin: first.origin });

  const patch = request(url, {
    method: 'PATCH',
    headers: { ...tusHeaders, 'content-type': 'application/offset+octet-stream', 'upload-offset': '0', 'content-length': String(data.length) },
  });
  patch.on('error', () => {});
  patch.write(data.subarray(0, 3 * MiB));
  await first.progressed(3 * MiB);
  const exited = new Promise((resolve) => first.child.once('exit', resolve));
  first.child.kill('SIGKILL');
  expect(await exited).toBe(null);
  patch.destroy();

  const second = await startServer(directory);
  const head = await fetch(`${second.origin}${new URL(url).pathname}`, { method: 'HEAD', headers: tusHeaders });
  expect(head.status).toBe(200);
  const offset = Number(head.headers.get('upload-offset'));
  expect(offset).toBeGreaterThan(0);
  expect(offset).toBeLessThanOrEqual(3 * MiB);
  expect((await new FileStore({ directory }).get(new URL(url).pathname.split('/').pop()!))?.offset).toBe(offset);

  const resumed = await fetch(`${second.origin}${new URL(url).pathname}`, {
    method: 'PATCH',
    headers: { ...tusHeaders, 'content-type': 'application/offset+octet-stream', 'upload-offset': String(offset) },
    body: data.subarray(offset),
  });
  expect(resumed.status).toBe(204);
  expect(resumed.headers.get('upload-offset')).toBe(String(data.length));
  const store = new FileStore({ directory });
  const id = new URL(url).pathname.split('/').pop()!;
  expect(await store.get(id)).toMatchObject({ offset: data.length, finalized: true });
  expect(await sha256(await store.read(id))).toBe(await sha256(data));
});
