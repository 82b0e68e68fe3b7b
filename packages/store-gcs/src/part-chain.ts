import { MAX_COMPOSE_SOURCES, type BucketObjects } from './bucket-objects.js';
import type { PartObject } from './chain.js';

/**
 * Appends parts to an upload's chain and keeps the chain short: when it
 * reaches {@link MAX_COMPOSE_SOURCES} parts they are composed into one new
 * part named after its whole range. No object is ever rewritten: every name
 * is created once, so GCS's once-per-second limit on mutating one object
 * never applies, however fast PATCHes arrive.
 *
 * @example
 * ```ts
 * const chain = new PartChainWriter(objects, 'a1', resolveChain(parts).parts);
 * await chain.append(bytes);
 * ```
 */
export class PartChainWriter {
  #parts: PartObject[];

  constructor(
    readonly objects: BucketObjects,
    readonly id: string,
    parts: readonly PartObject[],
  ) {
    this.#parts = [...parts];
  }

  get parts(): readonly PartObject[] {
    return this.#parts;
  }

  /** Bytes in the chain. */
  get offset(): number {
    return this.#parts.at(-1)?.end ?? 0;
  }

  async append(bytes: Buffer): Promise<void> {
    this.#parts.push(await this.objects.savePart(this.id, this.offset, bytes));
    if (this.#parts.length >= MAX_COMPOSE_SOURCES) this.#parts = await mergeParts(this.objects, this.id, this.#parts, 1);
  }
}

/**
 * Composes parts from the front, {@link MAX_COMPOSE_SOURCES} at a time, until
 * at most `limit` remain; returns the new chain. Merged sources are deleted
 * afterwards; if that fails they are merely superseded (the chain prefers the
 * merged part) and the next write or finalization deletes them.
 *
 * @example
 * ```ts
 * const composable = await mergeParts(objects, 'a1', chain.parts, MAX_COMPOSE_SOURCES);
 * ```
 */
export async function mergeParts(
  objects: BucketObjects,
  id: string,
  parts: readonly PartObject[],
  limit: number,
): Promise<PartObject[]> {
  let chain = [...parts];
  while (chain.length > limit) {
    const group = chain.slice(0, MAX_COMPOSE_SOURCES);
    const start = group[0]!.start;
    const end = group[group.length - 1]!.end;
    const merged = await objects.compose(group, { name: objects.layout.partName(id, start, end) });
    await objects.delete(group).catch(() => {});
    chain = [{ ...merged, start, end }, ...chain.slice(group.length)];
  }
  return chain;
}
