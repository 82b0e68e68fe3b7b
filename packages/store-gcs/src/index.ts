export { GcsStore, type GcsStoredObject } from './gcs-store.js';
export { DEFAULT_PART_CONCURRENCY, DEFAULT_PART_SIZE, storageDefaults, type GcsStoreOptions } from './options.js';
