/** An object in the bucket, as far as the store cares. */
export interface BucketObject {
  name: string;
  size: number;
  generation: string;
  metageneration: string;
  createdAt: Date;
  contentType?: string | undefined;
  /** Custom metadata. */
  metadata: Record<string, string>;
}

/** A part object: it holds the upload's bytes `[start, end)`. */
export interface PartObject extends BucketObject {
  start: number;
  end: number;
}

/** The parts that make up an upload's bytes, as derived from what the bucket holds. */
export interface PartChain {
  /** Contiguous parts from offset 0, in order. */
  parts: PartObject[];
  /** Bytes durably stored: the end of the last part of the chain. */
  offset: number;
  /** Parts the chain does not use (sources left behind by an interrupted merge). */
  garbage: PartObject[];
  /** Creation time of the newest part of the chain. */
  lastWriteAt: Date | undefined;
}

/**
 * Derives the offset from the parts in the bucket: starting at 0, it follows
 * at each position the part that reaches furthest. Every part holds the true
 * bytes of its range (parts are immutable and only written at the stored
 * offset), so overlapping leftovers of an interrupted merge never change the
 * result: they only end up in `garbage`.
 *
 * @example
 * ```ts
 * resolveChain([part(0, 10), part(10, 25), part(0, 25)]).offset; // 25, via the merged part(0, 25)
 * ```
 */
export function resolveChain(candidates: readonly PartObject[]): PartChain {
  const furthest = new Map<number, PartObject>();
  for (const part of candidates) {
    const best = furthest.get(part.start);
    if (!best || part.end > best.end) furthest.set(part.start, part);
  }
  const parts: PartObject[] = [];
  let offset = 0;
  for (let next = furthest.get(0); next; next = furthest.get(offset)) {
    parts.push(next);
    offset = next.end;
  }
  const used = new Set(parts);
  const times = parts.map((part) => part.createdAt.getTime());
  return {
    parts,
    offset,
    garbage: candidates.filter((part) => !used.has(part)),
    lastWriteAt: times.length > 0 ? new Date(Math.max(...times)) : undefined,
  };
}
