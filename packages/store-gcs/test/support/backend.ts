import { startChildServer } from '@tuskit/testkit/child-server';
import type { RobustnessBackend, UnavailableBackend } from '@tuskit/testkit/robustness';
import { BucketObjects } from '../../src/bucket-objects.js';
import { resolveChain } from '../../src/chain.js';
import { DEFAULT_PART_SIZE, GcsStore } from '../../src/index.js';
import { ObjectLayout } from '../../src/layout.js';
import type { FakeGcs } from './fake-gcs.js';

/**
 * The GCS store over the emulator, for the shared robustness cases. Its child
 * server (`child-server.mjs`) imports the built package.
 *
 * @example
 * ```ts
 * describeWithFakeGcs('GcsStore memory use', (gcs) => boundedMemoryCases(gcsBackend(gcs)));
 * ```
 */
export function gcsBackend(gcs: FakeGcs): RobustnessBackend {
  return {
    store: (options) => gcs.store(options),
    startChild: ({ keyPrefix, partSize }) =>
      startChildServer({
        script: new URL('./child-server.mjs', import.meta.url),
        env: {
          GCS_ENDPOINT: gcs.target.endpoint,
          GCS_PROJECT: gcs.target.projectId,
          GCS_BUCKET: gcs.bucket,
          KEY_PREFIX: keyPrefix,
          ...(partSize && { PART_SIZE: String(partSize) }),
        },
      }),
    leftovers: (id, keyPrefix) => gcs.leftovers(id, keyPrefix),
    createdObjects: (id, keyPrefix) => [`${keyPrefix}.tus/${id}/info`],
    finishedObject: (id, keyPrefix) => `${keyPrefix}${id}`,
    describeObject: async (name) => {
      const [object] = await gcs.storage.bucket(gcs.bucket).file(name).getMetadata();
      return { size: Number(object.size), contentType: object.contentType };
    },
    defaultPartSize: DEFAULT_PART_SIZE,
    // The bound this store's crash test has always held: one part uploading and the one filling.
    partsLostOnCrash: 2,
    storedBytes: async (id, keyPrefix) => {
      const objects = new BucketObjects(gcs.storage.bucket(gcs.bucket), new ObjectLayout(keyPrefix));
      return resolveChain((await objects.load(id)).parts).offset;
    },
  };
}

/**
 * A GCS store pointed at a fake service, whose client gives up quickly:
 * these cases are about mapping and bounds, not patience.
 *
 * @example
 * ```ts
 * describe('GcsStore when GCS is unavailable', () => unavailableCases(gcsUnavailable));
 * ```
 */
export const gcsUnavailable: UnavailableBackend = {
  storeAt: (endpoint, timeout = 2000) =>
    new GcsStore({
      bucket: 'uploads',
      storage: {
        apiEndpoint: endpoint,
        projectId: 'test',
        timeout,
        retryOptions: { maxRetries: 1, retryDelayMultiplier: 1, maxRetryDelay: 0.05, totalTimeout: 5 },
      },
    }),
  contentType: 'application/json',
  // `read` makes one request (the object lookup): tried once, retried once, then given up.
  busy: { body: '{"error":{"code":503,"message":"backend error"}}', operation: 'read', requests: 2 },
  refused: { body: '{"error":{"code":403,"message":"forbidden"}}', error: { code: 403 } },
  timesOut: true,
};
