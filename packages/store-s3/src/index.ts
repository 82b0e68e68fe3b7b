export { S3Store, type S3StoredObject } from './s3-store.js';
export type { S3StoreOptions } from './options.js';
export {
  createS3StoreClient,
  DEFAULT_CONNECTION_TIMEOUT_MS,
  DEFAULT_SOCKET_TIMEOUT_MS,
  type S3StoreClientTimeouts,
} from './client.js';
export { partSizeFor, MIN_PART_SIZE, MAX_PART_SIZE, MAX_PARTS, DEFAULT_PART_SIZE } from './part-size.js';
