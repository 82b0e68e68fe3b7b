import { startChildServer as startChild, type ChildServer } from '@tuskit/testkit/child-server';
import type { Azurite } from './azurite.js';

export type { ChildServer } from '@tuskit/testkit/child-server';

/** Options of {@link startChildServer}. */
export interface ChildServerOptions {
  keyPrefix: string;
  blockSize?: number;
}

/**
 * Starts `child-server.mjs` over the emulator's container. The package must be
 * built (`pnpm --filter @tuskit/store-azure build`): the child imports `dist`.
 *
 * @example
 * ```ts
 * const server = await startChildServer(azure, { keyPrefix: 'crash/', blockSize: 1 << 20 });
 * ```
 */
export function startChildServer(azure: Azurite, options: ChildServerOptions): Promise<ChildServer> {
  return startChild({
    script: new URL('./child-server.mjs', import.meta.url),
    env: {
      AZURE_CONNECTION_STRING: azure.target.connectionString,
      AZURE_CONTAINER: azure.name,
      KEY_PREFIX: options.keyPrefix,
      ...(options.blockSize && { BLOCK_SIZE: String(options.blockSize) }),
    },
  });
}
