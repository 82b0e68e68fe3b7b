import { MAX_COMPOSE_SOURCES, type BucketObjects } from './bucket-objects.js';
import type { PartObject } from './chain.js';

/**
 * Appends parts to an upload's chain and keeps the chain short: before it
 * grows beyond {@link MAX_COMPOSE_SOURCES} parts they are composed into one
 * new part named after its whole range. No object is ever rewritten: every name
 * is created once, so GCS's once-per-second limit on mutating one object
 * never applies, however fast PATCHes arrive.
 *
 * Several parts may upload at once, but they join the chain in order: a part
 * counts only once every part before it does. When one fails, the parts after
 * it that did upload are deleted (they sit beyond a gap, so no later chain
 * may ever reach them with bytes the client was never told were stored).
 *
 * @example
 * ```ts
 * const chain = new PartChainWriter(objects, 'a1', resolveChain(parts).parts);
 * await Promise.all([chain.append(first), chain.append(second)]);
 * ```
 */
export class PartChainWriter {
  #parts: PartObject[];
  /** End of the bytes handed to `append`, stored or not yet. */
  #appended: number;
  /** Settles once every part appended so far is in the chain; rejects once one failed. */
  #joined: Promise<void> = Promise.resolve();

  constructor(
    readonly objects: BucketObjects,
    readonly id: string,
    parts: readonly PartObject[],
  ) {
    this.#parts = [...parts];
    this.#appended = this.offset;
  }

  get parts(): readonly PartObject[] {
    return this.#parts;
  }

  /** Bytes in the chain. */
  get offset(): number {
    return this.#parts.at(-1)?.end ?? 0;
  }

  /** Uploads `bytes` as the next part; resolves once it and every part before it are in the chain. */
  append(bytes: Buffer): Promise<void> {
    const saved = this.objects.savePart(this.id, this.#appended, bytes);
    this.#appended += bytes.length;
    // Observed once the parts before it joined (or failed); meanwhile it must not count as unhandled.
    saved.catch(() => {});
    this.#joined = this.#joined.then(
      () => this.#join(saved),
      (earlier: unknown) => this.#discard(saved, earlier),
    );
    return this.#joined;
  }

  async #join(saved: Promise<PartObject>): Promise<void> {
    const part = await saved;
    // Merged when the chain would outgrow one compose, not when it fills one: a chain of exactly
    // MAX_COMPOSE_SOURCES parts (256 MiB of 8 MiB parts) is finalized by a single compose.
    if (this.#parts.length >= MAX_COMPOSE_SOURCES) this.#parts = await mergeParts(this.objects, this.id, this.#parts, 1);
    this.#parts.push(part);
  }

  /** A part behind a failed one never joins; if it was stored, it is deleted (else the next write does). */
  async #discard(saved: Promise<PartObject>, earlier: unknown): Promise<never> {
    const stranded = await saved.catch(() => undefined);
    if (stranded) await this.objects.delete([stranded]).catch(() => {});
    throw earlier;
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
