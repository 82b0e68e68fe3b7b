import { Storage, type Bucket } from '@google-cloud/storage';
import type { GcsSettings } from './config.js';

/**
 * The bucket of a fake-gcs-server, through the official client, for every
 * GCS row alike.
 *
 * @example
 * ```ts
 * const file = gcsBucket(settings).file('a');
 * ```
 */
export function gcsBucket(settings: GcsSettings): Bucket {
  const storage = new Storage({ apiEndpoint: settings.endpoint, projectId: settings.projectId });
  return storage.bucket(settings.bucket);
}
