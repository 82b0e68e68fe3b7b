import { MAX_COMPOSE_SOURCES, type BucketObjects } from './bucket-objects.js';
import type { BucketObject } from './chain.js';

/**
 * Gives upload `id` the bytes of the `sources` objects, in order, without
 * reading them: each run of up to {@link MAX_COMPOSE_SOURCES} sources is
 * composed by GCS into one part object of the upload, whose offset is then
 * derived from those parts as for any upload (finalization composes them in
 * rounds of 32, as it does for parts written by PATCH). Interrupted half-way,
 * the upload holds the parts composed so far: an incomplete upload.
 */
export async function composeInto(objects: BucketObjects, id: string, sources: readonly BucketObject[]): Promise<void> {
  const nonEmpty = sources.filter((source) => source.size > 0);
  let start = 0;
  for (let i = 0; i < nonEmpty.length; i += MAX_COMPOSE_SOURCES) {
    const group = nonEmpty.slice(i, i + MAX_COMPOSE_SOURCES);
    const end = start + group.reduce((sum, source) => sum + source.size, 0);
    await objects.compose(group, { name: objects.layout.partName(id, start, end) });
    start = end;
  }
}
