import { expect, it } from 'vitest';
import { bodyOf } from '../body.js';
import { isConcatenationStore, isListableStore, isReadableStore, type DataStore, type UploadHandle } from '../store.js';
import type { NewUpload } from '../upload.js';
import { chunked, randomData, sha256 } from './bytes.js';

/** What the concatenation cases need of the conformance suite. */
export interface ConcatCaseContext {
  store: () => Promise<DataStore>;
  newId: () => string;
  leftovers: ((id: string) => Promise<string[]>) | undefined;
  /** Whether the store under test claims the capability. */
  offered: boolean;
}

const MiB = 1024 * 1024;

/**
 * The `ConcatenationStore` contract, for stores that have it: a final upload
 * holds its parts' bytes in order, is complete but not finalized, and keeps
 * its `concat` (as its partial uploads keep theirs) across instances.
 */
export function concatenationCases(c: ConcatCaseContext): void {
  async function partial(s: DataStore, data: Uint8Array): Promise<UploadHandle> {
    const upload = await s.create({ id: c.newId(), size: data.length, metadata: {}, createdAt: new Date(), concat: { type: 'partial' } });
    if (data.length > 0) await upload.write(0, bodyOf(chunked(data, [256 * 1024])));
    await upload.finalize();
    return (await s.open(upload.info.id)) as UploadHandle;
  }

  function finalOf(parts: readonly UploadHandle[], metadata: Record<string, string> = {}): NewUpload {
    const size = parts.reduce((sum, part) => sum + part.info.offset, 0);
    return { id: c.newId(), size, metadata, createdAt: new Date(), concat: { type: 'final', parts: parts.map((p) => p.info.id) } };
  }

  it(`concatenation: the store ${c.offered ? 'has' : 'has not'} the capability`, async () => {
    expect(isConcatenationStore(await c.store())).toBe(c.offered);
  });

  // Not even registered for a store without the capability: the case above is its test.
  if (!c.offered) return;

  it('concatenation: a final upload holds its parts in order, complete and not yet finalized', async () => {
    const s = await c.store();
    if (!isConcatenationStore(s)) throw new Error('not a ConcatenationStore');
    const datas = [randomData(6 * MiB + 7), randomData(0), randomData(1000), randomData(5 * MiB + 1)];
    const parts = [];
    for (const data of datas) parts.push(await partial(s, data));
    const upload = finalOf(parts, { name: 'whole.bin' });
    const final = await s.concatenate(upload, parts);
    expect(final.info).toMatchObject({ id: upload.id, size: upload.size, offset: upload.size, finalized: false, concat: upload.concat });
    await final.finalize();
    const again = await c.store();
    expect((await again.open(upload.id))?.info).toMatchObject({ offset: upload.size, finalized: true, concat: upload.concat, metadata: { name: 'whole.bin' } });
    if (isReadableStore(again)) expect(await sha256(await again.read(upload.id))).toBe(await sha256(Buffer.concat(datas)));
    // The parts are left as they were: a client may use them again.
    for (const [i, part] of parts.entries()) {
      expect((await again.open(part.info.id))?.info).toMatchObject({ offset: datas[i]?.length, concat: { type: 'partial' } });
    }
  });

  it('concatenation: small parts, and a final removed leaves nothing behind', async () => {
    const s = await c.store();
    if (!isConcatenationStore(s)) throw new Error('not a ConcatenationStore');
    const datas = [randomData(100), randomData(3), randomData(64 * 1024 + 5)];
    const parts = [];
    for (const data of datas) parts.push(await partial(s, data));
    const upload = finalOf(parts);
    const final = await s.concatenate(upload, parts);
    await final.finalize();
    if (isReadableStore(s)) {
      expect(await sha256(await s.read(upload.id))).toBe(await sha256(Buffer.concat(datas)));
      expect(await sha256(await s.read(upload.id, { start: 98, end: 104 }))).toBe(await sha256(Buffer.concat(datas).subarray(98, 105)));
    }
    if (isListableStore(s)) {
      // A finished partial upload still expires, so the reaper must see it.
      const listed = [];
      for await (const info of s.list()) if (info.id === parts[0]?.info.id) listed.push(info);
      expect(listed).toEqual([expect.objectContaining({ concat: { type: 'partial' }, offset: 100 })]);
    }
    await final.remove();
    expect(await s.open(upload.id)).toBeUndefined();
    if (c.leftovers) expect(await c.leftovers(upload.id)).toEqual([]);
    for (const part of parts) expect((await s.open(part.info.id))?.info.offset).toBe(part.info.size);
  });
}
