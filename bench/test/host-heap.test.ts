import { describe, expect, it } from 'vitest';
import { retainHostHeap, retainedObjects } from '../src/servers/host-heap.js';

describe('retainHostHeap', () => {
  it('keeps about a KiB per object, a MiB per 1,024 objects, and can be emptied', () => {
    const before = process.memoryUsage().heapUsed;
    retainHostHeap(8);
    expect(retainedObjects()).toBe(8 * 1024);
    expect(process.memoryUsage().heapUsed - before).toBeGreaterThan(7 * 1024 * 1024);
    retainHostHeap(0);
    expect(retainedObjects()).toBe(0);
  });
});
