import { createServer } from 'node:http';
import { readFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { join } from 'node:path';
import { Upload, type UploadOptions } from 'tus-js-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIXTURES_DIR, listenOnLoopback, randomData, sha256, wavFile, type ServedTus } from '../../src/testing/index.js';
import { toNodeHandler } from '../../src/node.js';
import { MemoryStore } from '../../src/memory-store.js';
import { createTus, type Tus } from '../../src/tus.js';

/** Uploads `bytes` with tus-js-client through the creation extension; resolves the upload URL. */
function upload(endpoint: string, bytes: Buffer | Readable, options: UploadOptions): Promise<string> {
  return new Promise((resolve, reject) => {
    const client: Upload = new Upload(bytes, {
      endpoint,
      retryDelays: null,
      storeFingerprintForResuming: false,
      metadata: { filename: 'file.bin' },
      ...options,
      onSuccess: () => resolve(client.url ?? ''),
      onError: reject,
    });
    client.start();
  });
}

/** tus-js-client (Node) against an engine that takes any upload, with each option that changes its requests. */
describe('tus-js-client in Node', () => {
  let tus: Tus;
  let served: ServedTus;
  const store = new MemoryStore();
  const methods: string[] = [];
  /** The length headers of each request: `Upload-Length`, or `defer` for `Upload-Defer-Length`. */
  const lengths: string[] = [];
  const endpoint = () => `${served.origin}/files`;

  beforeAll(async () => {
    tus = createTus({ store, basePath: '/files', creation: true, accept: false });
    const handler = toNodeHandler(tus);
    served = await listenOnLoopback(
      createServer((req, res) => {
        methods.push(`${req.method} ${req.headers['x-http-method-override'] ?? ''}`.trim());
        lengths.push(req.headers['upload-defer-length'] === '1' ? 'defer' : String(req.headers['upload-length'] ?? ''));
        handler(req, res);
      }),
    );
  });
  afterAll(async () => {
    await tus.close();
    await served.close();
  });

  const stored = async (url: string) => {
    const id = url.split('/').pop() ?? '';
    return sha256(await store.read(id));
  };

  it.each([
    ['notes.txt', readFileSync(join(FIXTURES_DIR, 'not-media', 'notes.txt'))],
    ['1 MiB of random bytes', randomData(1024 * 1024)],
  ])('%s in 64 KiB chunks, with uploadDataDuringCreation, byte-exact', async (_name, bytes) => {
    methods.length = 0;
    const url = await upload(endpoint(), bytes, { chunkSize: 64 * 1024, uploadDataDuringCreation: true });
    expect(await stored(url)).toBe(await sha256(bytes));
    expect(methods[0]).toBe('POST');
    expect(methods.filter((m) => m === 'PATCH').length).toBe(Math.ceil(bytes.length / (64 * 1024)) - 1);
  });

  it('with overridePatchMethod: every PATCH goes as a POST with X-HTTP-Method-Override, byte-exact', async () => {
    methods.length = 0;
    const bytes = randomData(300 * 1024);
    const url = await upload(endpoint(), bytes, { chunkSize: 100 * 1024, overridePatchMethod: true });
    expect(await stored(url)).toBe(await sha256(bytes));
    expect(methods).toEqual(['POST', 'POST PATCH', 'POST PATCH', 'POST PATCH']);
  });

  it('an empty file is complete as soon as it is created', async () => {
    const url = await upload(endpoint(), Buffer.alloc(0), {});
    expect(await stored(url)).toBe(await sha256(Buffer.alloc(0)));
  });

  /** A stream of `bytes` in pieces of `sizes` (repeated), as a recorder or a pipe produces them. */
  function streamOf(bytes: Buffer, sizes: readonly number[]): Readable {
    const pieces: Buffer[] = [];
    for (let at = 0, i = 0; at < bytes.length; i++) {
      const size = sizes[i % sizes.length] ?? 1;
      pieces.push(bytes.subarray(at, at + size));
      at += size;
    }
    return Readable.from(pieces);
  }

  it.each([
    ['300 KiB + 123 bytes in uneven pieces', 300 * 1024 + 123, [1, 20, 8000, 33_000, 16_161]],
    ['four pieces of exactly the chunk size', 4 * 64 * 1024, [64 * 1024]],
  ])('with uploadLengthDeferred from a stream: %s, byte-exact', async (_name, size, sizes) => {
    methods.length = 0;
    lengths.length = 0;
    const bytes = randomData(size);
    const url = await upload(endpoint(), streamOf(bytes, sizes), { chunkSize: 64 * 1024, uploadLengthDeferred: true });
    expect(await stored(url)).toBe(await sha256(bytes));
    expect(methods[0]).toBe('POST');
    expect(lengths[0]).toBe('defer');
    // The length travels once, on the last PATCH; the ones before it carry none.
    expect(lengths.slice(1, -1).every((l) => l === '')).toBe(true);
    expect(lengths.at(-1)).toBe(String(size));
    const head = await fetch(url, { method: 'HEAD', headers: { 'tus-resumable': '1.0.0' } });
    expect(head.headers.get('upload-length')).toBe(String(size));
  });

  it('with parallelUploads: 3, three partial uploads concatenated by the server, byte-exact', async () => {
    methods.length = 0;
    const bytes = randomData(3 * 1024 * 1024 + 17);
    const url = await upload(endpoint(), bytes, { parallelUploads: 3, chunkSize: 256 * 1024 });
    expect(await stored(url)).toBe(await sha256(bytes));
    // Three partial uploads, then the final one.
    expect(methods.filter((m) => m === 'POST').length).toBe(4);
    const final = await store.open(url.split('/').pop() ?? '');
    expect(final?.info).toMatchObject({ size: bytes.length, offset: bytes.length, finalized: true, concat: { type: 'final' } });
    if (final?.info.concat?.type === 'final') expect(final.info.concat.parts).toHaveLength(3);
  });
});

/** parallelUploads under the media rule: the final upload is judged on its first bytes, not each part on its own. */
describe('tus-js-client parallelUploads with the media rule', () => {
  let tus: Tus;
  let served: ServedTus;
  const store = new MemoryStore();

  beforeAll(async () => {
    tus = createTus({ store, basePath: '/files', creation: true });
    served = await listenOnLoopback(createServer(toNodeHandler(tus)));
  });
  afterAll(async () => {
    await tus.close();
    await served.close();
  });

  it('a WAV in three parallel parts is accepted, byte-exact, with its media detected', async () => {
    const bytes = wavFile(600 * 1024);
    const url = await upload(`${served.origin}/files`, bytes, { parallelUploads: 3 });
    const id = url.split('/').pop() ?? '';
    expect(await sha256(await store.read(id))).toBe(await sha256(bytes));
    expect((await store.open(id))?.info.media).toMatchObject({ mime: 'audio/wav' });
  });

  it('random bytes in three parallel parts are refused when the final upload is created', async () => {
    const failure = await upload(`${served.origin}/files`, randomData(600 * 1024), { parallelUploads: 3 }).then(
      () => undefined,
      (error: unknown) => error as { originalResponse?: { getStatus(): number; getBody(): string } },
    );
    expect(failure?.originalResponse?.getStatus()).toBe(409);
    expect(failure?.originalResponse?.getBody()).toContain('unsupported_media_type');
  });
});
