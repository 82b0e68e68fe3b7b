import { MemoryStore, createTus } from '@tuskit/core';
import { expect, it } from 'vitest';
import { toFetchHandler } from '../src/index.js';

// `TusRequest.path` is the full path: a path outside basePath is no upload, even when its last segment is an id.
it('answers 404 for a path outside basePath that ends in an upload id, and serves the upload under basePath', async () => {
  const tus = createTus({ store: new MemoryStore(), basePath: '/v1/uploads', publicUrl: 'http://localhost', accept: false });
  const { id } = await tus.createUpload({ size: 10 });
  const handle = toFetchHandler(tus);
  const head = (path: string) => handle(new Request(`http://localhost${path}`, { method: 'HEAD', headers: { 'Tus-Resumable': '1.0.0' } }));
  expect((await head(`/${id}`)).status).toBe(404);
  expect((await head(`/other/${id}`)).status).toBe(404);
  const served = await head(`/v1/uploads/${id}`);
  expect(served.status).toBe(200);
  expect(served.headers.get('upload-offset')).toBe('0');
});
