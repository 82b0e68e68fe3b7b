import { createHash } from 'node:crypto';
import { request } from 'node:http';
import { createTus } from '@tuskit/core';
import { sha256, wavFile } from '@tuskit/core/testing';
import { afterEach, expect, it } from 'vitest';
import { FileStore } from '../src/index.js';
import { testDirectory } from './support/scratch.js';
import { startChildServer, type ChildServer } from './support/child-server.js';

const MiB = 1024 * 1024;
const servers: ChildServer[] = [];
const tusHeaders = { 'tus-resumable': '1.0.0' };

afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.kill()));
});

async function start(directory: string): Promise<ChildServer> {
  const server = await startChildServer(directory);
  servers.push(server);
  return server;
}

it('survives a SIGKILL mid-PATCH: consistent offset after restart, sha256-exact completion', async () => {
  const directory = testDirectory('tuskit-fs-crash-');
  const data = wavFile(8 * MiB);
  const first = await start(directory);
  const host = createTus({ store: new FileStore({ directory }), basePath: '/files' });
  const { id, url } = await host.createUpload({ size: data.length, origin: first.origin });
  const path = new URL(url).pathname;

  const patch = request(url, {
    method: 'PATCH',
    headers: { ...tusHeaders, 'content-type': 'application/offset+octet-stream', 'upload-offset': '0', 'content-length': String(data.length) },
  });
  patch.on('error', () => {});
  patch.write(data.subarray(0, 3 * MiB));
  await first.progressed(3 * MiB);
  await first.kill();
  expect(first.child.signalCode).toBe('SIGKILL');
  patch.destroy();

  const second = await start(directory);
  const head = await fetch(`${second.origin}${path}`, { method: 'HEAD', headers: tusHeaders });
  expect(head.status).toBe(200);
  const offset = Number(head.headers.get('upload-offset'));
  expect(offset).toBeGreaterThan(0);
  expect(offset).toBeLessThanOrEqual(3 * MiB);
  expect((await new FileStore({ directory }).open(id))?.info.offset).toBe(offset);

  const resumed = await fetch(`${second.origin}${path}`, {
    method: 'PATCH',
    headers: { ...tusHeaders, 'content-type': 'application/offset+octet-stream', 'upload-offset': String(offset) },
    body: data.subarray(offset),
  });
  expect(resumed.status).toBe(204);
  expect(resumed.headers.get('upload-offset')).toBe(String(data.length));
  const store = new FileStore({ directory });
  expect((await store.open(id))?.info).toMatchObject({ offset: data.length, finalized: true });
  expect(await sha256(await store.read(id))).toBe(await sha256(data));
});

it('a SIGKILL in the middle of a checksummed PATCH leaves the offset where it was before that PATCH', async () => {
  const directory = testDirectory('tuskit-fs-crash-checksum-');
  const data = wavFile(8 * MiB);
  const first = await start(directory);
  const host = createTus({ store: new FileStore({ directory }), basePath: '/files' });
  const { id, url } = await host.createUpload({ size: data.length, origin: first.origin });
  const path = new URL(url).pathname;
  const patchHeaders = (offset: number) => ({ ...tusHeaders, 'content-type': 'application/offset+octet-stream', 'upload-offset': String(offset) });
  const plain = await fetch(url, { method: 'PATCH', headers: patchHeaders(0), body: data.subarray(0, MiB) });
  expect(plain.headers.get('upload-offset')).toBe(String(MiB));

  const rest = data.subarray(MiB);
  const checksum = `sha256 ${createHash('sha256').update(rest).digest('base64')}`;
  const patch = request(url, {
    method: 'PATCH',
    headers: { ...patchHeaders(MiB), 'content-length': String(rest.length), 'upload-checksum': checksum },
  });
  patch.on('error', () => {});
  patch.write(rest.subarray(0, 3 * MiB));
  await first.progressed(4 * MiB);
  await first.kill();
  expect(first.child.signalCode).toBe('SIGKILL');
  patch.destroy();

  const second = await start(directory);
  const head = await fetch(`${second.origin}${path}`, { method: 'HEAD', headers: tusHeaders });
  expect(head.headers.get('upload-offset')).toBe(String(MiB));
  expect((await new FileStore({ directory }).open(id))?.info.offset).toBe(MiB);

  const resumed = await fetch(`${second.origin}${path}`, { method: 'PATCH', headers: { ...patchHeaders(MiB), 'upload-checksum': checksum }, body: rest });
  expect(resumed.headers.get('upload-offset')).toBe(String(data.length));
  expect(await sha256(await new FileStore({ directory }).read(id))).toBe(await sha256(data));
});
