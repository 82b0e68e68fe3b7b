import { describe, expect, it } from 'vitest';
import { resolveChain, type PartObject } from '../src/chain.js';
import { ObjectLayout } from '../src/layout.js';

const layout = new ObjectLayout('media/');

function part(start: number, end: number, createdAt = new Date(1000 + end)): PartObject {
  const name = layout.partName('a1', start, end);
  return { name, size: end - start, generation: '1', metageneration: '1', createdAt, metadata: {}, start, end };
}

describe('resolveChain', () => {
  it('has offset 0 and no write time without parts', () => {
    expect(resolveChain([])).toEqual({ parts: [], offset: 0, garbage: [], lastWriteAt: undefined });
  });

  it('follows contiguous parts in any listing order', () => {
    const parts = [part(10, 25), part(0, 10), part(25, 26)];
    const chain = resolveChain(parts);
    expect(chain.parts.map((p) => [p.start, p.end])).toEqual([[0, 10], [10, 25], [25, 26]]);
    expect(chain.offset).toBe(26);
    expect(chain.lastWriteAt).toEqual(new Date(1026));
  });

  it('prefers a merged part over the sources an interrupted merge left behind', () => {
    const merged = part(0, 25, new Date(5000));
    const chain = resolveChain([part(0, 10), part(10, 25), merged, part(25, 30)]);
    expect(chain.parts).toEqual([merged, part(25, 30)]);
    expect(chain.offset).toBe(30);
    expect(chain.garbage.map((p) => p.name)).toEqual([part(0, 10).name, part(10, 25).name]);
    expect(chain.lastWriteAt).toEqual(new Date(5000));
  });

  it('stops at a gap: bytes after it are not acknowledged', () => {
    const chain = resolveChain([part(0, 10), part(20, 30)]);
    expect(chain.offset).toBe(10);
    expect(chain.garbage.map((p) => [p.start, p.end])).toEqual([[20, 30]]);
  });
});

describe('ObjectLayout', () => {
  it('names the finished object, the record and zero-padded parts', () => {
    expect(layout.finalName('a1')).toBe('media/a1');
    expect(layout.infoName('a1')).toBe('media/.tus/a1/info');
    expect(layout.partName('a1', 0, 1024)).toBe('media/.tus/a1/0000000000000000-0000000000001024');
  });

  it('classifies staging names and refuses ranges that could stall the chain', () => {
    expect(layout.parseStaging('media/.tus/a1/info')).toEqual({ id: 'a1', kind: 'info' });
    expect(layout.parseStaging(layout.partName('a1', 5, 9))).toEqual({ id: 'a1', kind: 'part', start: 5, end: 9 });
    expect(layout.parseStaging(layout.partName('a1', 9, 9))).toEqual({ id: 'a1', kind: 'other' });
    expect(layout.parseStaging('media/.tus/a1/notes.txt')).toEqual({ id: 'a1', kind: 'other' });
    expect(layout.parseStaging('media/.tus/a1')).toBeUndefined();
    expect(layout.parseStaging('media/a1')).toBeUndefined();
    expect(layout.parseStaging('other/.tus/a1/info')).toBeUndefined();
  });
});
