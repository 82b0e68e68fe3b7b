import { createGcsBucket, startFakeGcs } from '@tuskit/testkit';
import { gcsBucket } from '../servers/gcs-client.js';
import { digestOf, storageOf, type Bed } from './bed.js';

/**
 * One fake-gcs-server (through `@tuskit/testkit`), one bucket per target.
 *
 * @example
 * ```ts
 * const bed = await gcsBed();
 * ```
 */
export async function gcsBed(): Promise<Bed> {
  const gcs = await startFakeGcs();
  return {
    backend: 'gcs',
    description: `fake-gcs-server ${process.env.TUSKIT_FAKE_GCS_IMAGE ?? 'fsouza/fake-gcs-server'} at ${gcs.endpoint}`,
    async prepare(targetId) {
      const bucket = await createGcsBucket(gcs, `bench-${targetId}-${Date.now().toString(36)}`);
      return { backend: 'gcs', gcs: { endpoint: gcs.endpoint, projectId: gcs.projectId, bucket } };
    },
    digest: (storage, key) => digestOf(gcsBucket(storageOf(storage, 'gcs').gcs).file(key).createReadStream({ validation: false })),
    async clear(storage) {
      await gcsBucket(storageOf(storage, 'gcs').gcs).deleteFiles({ force: true });
    },
    close: () => gcs.stop(),
  };
}
