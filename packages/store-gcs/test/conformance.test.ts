import { describeStoreConformance } from '@tuskit/core/testing';
import { describeWithFakeGcs } from './support/fake-gcs.js';

describeWithFakeGcs('GcsStore against fake-gcs-server', (gcs) => {
  describeStoreConformance({
    name: 'GcsStore',
    createStore: () => gcs.store({ keyPrefix: 'default-parts/' }),
    leftovers: (id) => gcs.leftovers(id, 'default-parts/'),
  });

  // 256 KiB parts: the 12 MiB cases cross the 32-part compose threshold, so merging is under test too.
  describeStoreConformance({
    name: 'GcsStore with 256 KiB parts',
    createStore: () => gcs.store({ keyPrefix: 'small-parts/', partSize: 256 * 1024 }),
    leftovers: (id) => gcs.leftovers(id, 'small-parts/'),
  });
});
