import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { retainHostHeap, retainedObjects } from '../src/servers/host-heap.js';

setFlagsFromString('--expose-gc');
/** A full collection before each reading: a collection that ran mid-test once made the retained heap look smaller. */
const collect = runInNewContext('gc') as () => void;

describe('retainHostHeap', () => {
  it('keeps about a KiB per object, a MiB per 1,024 objects, and can be emptied', () => {
    collect();
    const before = process.memoryUsage().heapUsed;
    retainHostHeap(8);
    expect(retainedObjects()).toBe(8 * 1024);
    collect();
    expect(process.memoryUsage().heapUsed - before).toBeGreaterThan(7 * 1024 * 1024);
    retainHostHeap(0);
    expect(retainedObjects()).toBe(0);
  });
});
