export { AzureStore } from './azure-store.js';
export type { AzureStoredObject, AzureUpload } from './azure-upload.js';
export { DEFAULT_BLOCK_CONCURRENCY, DEFAULT_BLOCK_SIZE, clientDefaults, type AzureStoreOptions } from './options.js';
