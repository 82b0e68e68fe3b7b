import { join } from 'node:path';
import type { DataStore } from '@tuskit/core';
import { FileStore } from '@tuskit/store-fs';
import { ConfigError } from './config.js';
import { azureStoreFromEnv } from './stores/azure.js';
import { gcsStoreFromEnv } from './stores/gcs.js';
import { s3StoreFromEnv } from './stores/s3.js';

/** The values of `STORE`. */
export const STORE_KINDS = ['fs', 's3', 'gcs', 'azure'] as const;
/** One of {@link STORE_KINDS}. */
export type StoreKind = (typeof STORE_KINDS)[number];

/** What a store factory gets: the environment (for the store's own variables) and `DATA_DIR`. */
export interface StoreFactoryContext {
  env: NodeJS.ProcessEnv;
  dataDir: string;
}

type StoreFactory = (context: StoreFactoryContext) => DataStore | Promise<DataStore>;

/** One factory per `STORE` value; each reads its store's own variables (see the README). */
const FACTORIES: Record<StoreKind, StoreFactory> = {
  fs: ({ dataDir }) => new FileStore({ directory: join(dataDir, 'uploads') }),
  s3: ({ env }) => s3StoreFromEnv(env),
  gcs: ({ env }) => gcsStoreFromEnv(env),
  azure: ({ env }) => azureStoreFromEnv(env),
};

/**
 * Builds the upload store named by `STORE`: `fs` (the default; files under
 * `DATA_DIR/uploads`), `s3`, `gcs` or `azure` (from their own variables). Throws a
 * {@link ConfigError} for an unknown store or a missing or malformed
 * variable of the chosen one.
 *
 * @example
 * ```ts
 * const store = await createStoreFromEnv({ env: process.env, dataDir: './data' });
 * ```
 */
export async function createStoreFromEnv(context: StoreFactoryContext): Promise<DataStore> {
  const kind = storeKindFromEnv(context.env);
  return FACTORIES[kind](context);
}

/**
 * The `STORE` variable, checked.
 *
 * @example
 * ```ts
 * storeKindFromEnv({ STORE: 's3' }); // 's3'
 * ```
 */
export function storeKindFromEnv(env: NodeJS.ProcessEnv): StoreKind {
  const kind = env.STORE?.trim() || 'fs';
  if (!(STORE_KINDS as readonly string[]).includes(kind)) {
    throw new ConfigError(`STORE must be one of ${STORE_KINDS.join(', ')}, not "${kind}".`);
  }
  return kind as StoreKind;
}
