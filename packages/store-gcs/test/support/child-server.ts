import { startChildServer as startChild, type ChildServer } from '@tuskit/testkit/child-server';
import type { FakeGcs } from './fake-gcs.js';

export type { ChildServer } from '@tuskit/testkit/child-server';

/** Options of {@link startChildServer}. */
export interface ChildServerOptions {
  keyPrefix: string;
  partSize?: number;
}

/**
 * Starts `child-server.mjs` over the emulator's bucket. The package must be
 * built (`pnpm --filter @tuskit/store-gcs build`): the child imports `dist`.
 *
 * @example
 * ```ts
 * const server = await startChildServer(gcs, { keyPrefix: 'crash/', partSize: 1 << 20 });
 * ```
 */
export function startChildServer(gcs: FakeGcs, options: ChildServerOptions): Promise<ChildServer> {
  return startChild({
    script: new URL('./child-server.mjs', import.meta.url),
    env: {
      GCS_ENDPOINT: gcs.target.endpoint,
      GCS_PROJECT: gcs.target.projectId,
      GCS_BUCKET: gcs.bucket,
      KEY_PREFIX: options.keyPrefix,
      ...(options.partSize && { PART_SIZE: String(options.partSize) }),
    },
  });
}
