import type { DataStore, ListableStore, ReadableStore } from '@tuskit/core';
import { GcsStore } from '@tuskit/store-gcs';
import { envText } from '../config.js';
import { envHttpUrl, requiredEnv } from './variables.js';

/**
 * The store of `STORE=gcs`, from `GCS_BUCKET` (required), `GCS_PROJECT_ID`,
 * `GCS_KEY_PREFIX` and `STORAGE_EMULATOR_HOST` (an emulator such as
 * fake-gcs-server, as `host:port` or a URL). Credentials come from the
 * client library's default chain (`GOOGLE_APPLICATION_CREDENTIALS`, the
 * runtime's service account, …), not from variables of this server.
 *
 * On an emulator the store gives no signed URLs, so the API serves
 * downloads itself (its own signed links, through `read`): an emulator
 * verifies no signature, and signing would make the client library look for
 * credentials (on the network) that an emulator never needs.
 *
 * @example
 * ```ts
 * const store = gcsStoreFromEnv({ GCS_BUCKET: 'uploads', STORAGE_EMULATOR_HOST: '127.0.0.1:4443' });
 * ```
 */
export function gcsStoreFromEnv(env: NodeJS.ProcessEnv): DataStore & ListableStore & ReadableStore {
  const bucket = requiredEnv(env, 'GCS_BUCKET', 'STORE=gcs');
  const projectId = envText(env, 'GCS_PROJECT_ID');
  const keyPrefix = envText(env, 'GCS_KEY_PREFIX');
  const emulator = envHttpUrl(env, 'STORAGE_EMULATOR_HOST', 'http')?.origin;
  if (emulator === undefined) return new GcsStore({ bucket, keyPrefix, storage: { projectId } });
  const store = new GcsStore({ bucket, keyPrefix, storage: { projectId, apiEndpoint: emulator } });
  // The client library reads STORAGE_EMULATOR_HOST from the process too, and takes it verbatim as the
  // base of its JSON API (404s for `host:port` or a bare origin): give it the base that fits apiEndpoint.
  store.storage.baseUrl = `${emulator}/storage/v1`;
  return withoutSignedUrls(store);
}

/** The store minus `downloadUrl`: the API then signs and serves download links itself. */
function withoutSignedUrls(store: GcsStore): DataStore & ListableStore & ReadableStore {
  return {
    maxSize: store.maxSize,
    create: (upload) => store.create(upload),
    open: (id) => store.open(id),
    list: () => store.list(),
    read: (id, range) => store.read(id, range),
  };
}
