import { join } from 'node:path';
import type { DataStore } from '@tuskit/core';
import { FileStore } from '@tuskit/store-fs';
import { ConfigError } from './config.js';

/** The values of `STORE`. */
export const STORE_KINDS = ['fs', 's3', 'gcs'] as const;
/** One of {@link STORE_KINDS}. */
export type StoreKind = (typeof STORE_KINDS)[number];

/** What a store factory gets: the environment (for the store's own variables) and `DATA_DIR`. */
export interface StoreFactoryContext {
  env: NodeJS.ProcessEnv;
  dataDir: string;
}

type StoreFactory = (context: StoreFactoryContext) => DataStore | Promise<DataStore>;

/**
 * One factory per `STORE` value. To add a backend, replace its entry with a
 * factory that reads the store's own variables from `env` (`S3_ENDPOINT`,
 * `S3_BUCKET`, …; `GCS_BUCKET`, `STORAGE_EMULATOR_HOST`, …) and returns the
 * store, e.g. `s3: ({ env }) => new S3Store({ bucket: required(env, 'S3_BUCKET'), … })`.
 */
const FACTORIES: Record<StoreKind, StoreFactory> = {
  fs: ({ dataDir }) => new FileStore({ directory: join(dataDir, 'uploads') }),
  s3: notAvailableYet('s3', '@tuskit/store-s3'),
  gcs: notAvailableYet('gcs', '@tuskit/store-gcs'),
};

/**
 * Builds the upload store named by `STORE` (default `fs`: files under
 * `DATA_DIR/uploads`). Throws a {@link ConfigError} for an unknown or
 * unavailable store.
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

function notAvailableYet(kind: StoreKind, packageName: string): StoreFactory {
  return () => {
    throw new ConfigError(
      `STORE=${kind} is not available yet: ${packageName} is not wired into this server (see src/store.ts). Use STORE=fs.`,
    );
  };
}
