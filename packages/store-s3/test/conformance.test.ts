import { describeStoreConformance } from '@tuskit/core/testing';
import { describeWithMinio } from './support/minio.js';

await describeWithMinio('S3Store against MinIO', (minio) => {
  describeStoreConformance({
    name: 'S3Store',
    createStore: () => minio.store({ partSize: 5 * 1024 * 1024 }),
    leftovers: (id) => minio.leftovers(id),
  });
});
