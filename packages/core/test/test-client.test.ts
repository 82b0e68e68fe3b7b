import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { createTus, MemoryStore } from '../src/index.js';
import { createTestClient } from '../src/testing/index.js';
import { FIXTURES_DIR } from '../src/testing/index.js';

it('drives create → PATCH → HEAD in-process', async () => {
  const bytes = readFileSync(join(FIXTURES_DIR, 'media', 'video.webm'));
  const tus = createTus({ store: new MemoryStore(), basePath: '/up' });
  const client = createTestClient(tus);
  const { id, patches, head } = await client.upload(bytes, { chunkSize: 5000 });
  expect(patches.map((p) => p.status)).toEqual([204, 204, 204, 204, 204]);
  expect(head.headers['Upload-Offset']).toBe(String(bytes.length));
  expect((await tus.store.open(id))?.info.media).toEqual({ type: 'video', mime: 'video/webm', ext: 'webm' });
  expect((await client.delete(id)).status).toBe(204);
  expect((await client.head(id)).status).toBe(404);
});
