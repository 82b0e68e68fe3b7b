import { createServer, type IncomingMessage } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { RELEASE_DELAY_CHUNKS, releaseChunk, releaseOf } from '../src/chunk-release.js';
import { handleNodeRequest, toNodeHandler } from '../src/node.js';
import { MemoryStore } from '../src/memory-store.js';
import type { UploadBody, UploadHandle } from '../src/store.js';
import { createTus, type Tus } from '../src/tus.js';
import type { TusOptions } from '../src/options.js';
import { listenOnLoopback, wavFile } from '../src/testing/index.js';

/** Frees enough throwaway chunks that every chunk freed before has left the delay. */
function pushThroughDelay(): void {
  for (let i = 0; i < RELEASE_DELAY_CHUNKS; i++) releaseChunk(new Uint8Array(1));
}

describe('releaseChunk', () => {
  it('detaches a chunk once RELEASE_DELAY_CHUNKS more were freed, oldest first', () => {
    pushThroughDelay();
    const chunks = Array.from({ length: RELEASE_DELAY_CHUNKS + 2 }, () => new Uint8Array(1024).fill(7));
    for (const chunk of chunks) releaseChunk(chunk);
    expect(chunks.map((c) => c.byteLength)).toEqual([0, 0, ...Array<number>(RELEASE_DELAY_CHUNKS).fill(1024)]);
    pushThroughDelay();
    expect(chunks.every((c) => c.byteLength === 0)).toBe(true);
  });

  it('never touches a view into a larger buffer, a pooled Buffer or shared memory', () => {
    const whole = new Uint8Array(4096).fill(1);
    const view = whole.subarray(0, 1024);
    const pooled = Buffer.from('pooled bytes');
    const shared = new Uint8Array(new SharedArrayBuffer(64)).fill(3);
    for (const chunk of [view, whole.subarray(1024), pooled, shared]) releaseChunk(chunk);
    pushThroughDelay();
    expect(whole.byteLength).toBe(4096);
    expect(whole.every((b) => b === 1)).toBe(true);
    expect(pooled.toString()).toBe('pooled bytes');
    expect(shared.byteLength).toBe(64);
  });

  it('gives the memory back without waiting for a collection', () => {
    pushThroughDelay();
    const chunks = Array.from({ length: 64 }, () => new Uint8Array(1024 * 1024).fill(9));
    const before = process.memoryUsage().arrayBuffers;
    for (const chunk of chunks) releaseChunk(chunk);
    pushThroughDelay();
    // `chunks` still references every Uint8Array: only detaching can have released their 64 MiB.
    expect(before - process.memoryUsage().arrayBuffers).toBeGreaterThanOrEqual(60 * 1024 * 1024);
  });
});

/** A memory store that records whether each write was offered a chunk release. */
class ReleaseRecordingStore extends MemoryStore {
  readonly offered: boolean[] = [];

  override async open(id: string): Promise<UploadHandle | undefined> {
    const upload = await super.open(id);
    if (!upload) return undefined;
    const write = upload.write.bind(upload);
    upload.write = (offset: number, body: UploadBody) => {
      this.offered.push(typeof releaseOf(body) === 'function');
      return write(offset, body);
    };
    return upload;
  }
}

describe('which bodies offer a chunk release', () => {
  let close: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await close?.();
    close = undefined;
  });

  async function serve(
    options: Partial<TusOptions<IncomingMessage>> = {},
    handler?: (tus: Tus<IncomingMessage>) => Parameters<typeof createServer>[1],
  ): Promise<{ store: ReleaseRecordingStore; origin: string }> {
    const store = new ReleaseRecordingStore();
    const tus = createTus<IncomingMessage>({ store, basePath: '/files', creation: true, ...options });
    const served = await listenOnLoopback(createServer(handler?.(tus) ?? toNodeHandler(tus)));
    close = served.close;
    return { store, origin: served.origin };
  }

  async function uploadInTwoPatches(origin: string): Promise<void> {
    const file = wavFile(200_000);
    const created = await fetch(`${origin}/files`, {
      method: 'POST',
      headers: { 'Tus-Resumable': '1.0.0', 'Upload-Length': String(file.length) },
    });
    expect(created.status).toBe(201);
    const url = new URL(created.headers.get('location') ?? '', origin).href;
    for (const [start, end] of [
      [0, 70_000],
      [70_000, file.length],
    ] as const) {
      const patched = await fetch(url, {
        method: 'PATCH',
        headers: {
          'Tus-Resumable': '1.0.0',
          'Upload-Offset': String(start),
          'Content-Type': 'application/offset+octet-stream',
        },
        body: file.subarray(start, end),
      });
      expect(patched.status).toBe(204);
      expect(patched.headers.get('upload-offset')).toBe(String(end));
    }
  }

  it('offers it for a request the Node bridge reads alone, first chunk included', async () => {
    const { store, origin } = await serve();
    await uploadInTwoPatches(origin);
    expect(store.offered).toEqual([true, true]);
  });

  it('offers nothing when the host keeps the request chunks too, and they keep their bytes', async () => {
    const kept: Buffer[] = [];
    const { store, origin } = await serve({}, (tus) => (req, res) => {
      // A paused stream still emits each chunk the core reads to its `data` listeners.
      req.on('data', (chunk: Buffer) => kept.push(chunk));
      req.pause();
      void handleNodeRequest(tus, req, res, req);
    });
    await uploadInTwoPatches(origin);
    expect(store.offered).toEqual([false, false]);
    // A released chunk would be empty by now: every kept byte is still there.
    expect(Buffer.concat(kept).length).toBe(200_000);
  });

  it('offers nothing for bytes a body parser read first', async () => {
    const { store, origin } = await serve({}, (tus) => async (req, res) => {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      const bytes = Buffer.concat(chunks);
      await handleNodeRequest(tus, req, res, req, { parsedBody: () => bytes });
    });
    await uploadInTwoPatches(origin);
    expect(store.offered).toEqual([false, false]);
  });
});
