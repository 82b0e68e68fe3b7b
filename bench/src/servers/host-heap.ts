/** Where the host heap is asked for: MiB of long-lived objects in every Node server child. */
export const HOST_HEAP_ENV = 'BENCH_HOST_HEAP_MIB';

let retained: unknown[] = [];

/**
 * Keeps `mib` MiB of long-lived small objects (about a KiB per 20), standing in for the application an
 * upload server lives in. V8 sizes its generations from the heap it holds:
 * a server of a few MiB collects far more often than a real application, so
 * `--host-heap` lets a run show rows under a realistic heap (every Node row
 * gets the same).
 *
 * @example
 * ```ts
 * retainHostHeap(Number(process.env[HOST_HEAP_ENV] ?? 0));
 * ```
 */
export function retainHostHeap(mib: number): void {
  // Small objects rather than a few big strings: a real heap is many objects the marker must visit.
  retained = Array.from({ length: Math.max(0, Math.floor(mib * 1024)) }, (_, i) => Array.from({ length: 20 }, (_, j) => ({ i, j })));
}

/** How many KiB-sized groups are retained (for tests). */
export function retainedObjects(): number {
  return retained.length;
}
