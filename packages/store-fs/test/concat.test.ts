import { mkdtempSync, readdirSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bodyOf, type UploadHandle } from '@tuskit/core';
import { randomData } from '@tuskit/core/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { FileStore } from '../src/index.js';

const directory = mkdtempSync(join(tmpdir(), 'tuskit-fs-concat-'));
afterAll(() => rm(directory, { recursive: true, force: true }));

describe('FileStore concatenation cut short', () => {
  it('leaves an empty, incomplete final upload and no temp file; removing it leaves nothing', async () => {
    const store = new FileStore({ directory });
    const parts: UploadHandle[] = [];
    for (const id of ['p1', 'p2']) {
      const upload = await store.create({ id, size: 1000, metadata: {}, createdAt: new Date(), concat: { type: 'partial' } });
      await upload.write(0, bodyOf([randomData(1000)]));
      await upload.finalize();
      parts.push((await store.open(id)) as UploadHandle);
    }
    // The second part's bytes vanish under the handle: the copy fails half-way.
    await rm(join(directory, 'p2'));
    const concat = { type: 'final', parts: ['p1', 'p2'] } as const;
    const assembling = store.concatenate({ id: 'whole', size: 2000, metadata: {}, createdAt: new Date(), concat }, parts);
    await expect(assembling).rejects.toMatchObject({ code: 'ENOENT' });
    expect((await store.open('whole'))?.info).toMatchObject({ offset: 0, size: 2000, concat });
    expect(readdirSync(directory).filter((name) => name.startsWith('whole'))).toEqual(['whole', 'whole.json']);
    await (await store.open('whole'))?.remove();
    expect(readdirSync(directory).filter((name) => name.startsWith('whole'))).toEqual([]);
    await store.close();
  });
});
