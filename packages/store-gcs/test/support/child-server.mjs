// The GCS store behind the shared child tus server (see `child-server.ts`).
import { GcsStore } from '@tuskit/store-gcs';
import { serveInChild } from '@tuskit/testkit/child-tus';

const { GCS_ENDPOINT, GCS_PROJECT, GCS_BUCKET, KEY_PREFIX, PART_SIZE } = process.env;
serveInChild(
  new GcsStore({
    bucket: GCS_BUCKET,
    keyPrefix: KEY_PREFIX ?? '',
    ...(PART_SIZE && { partSize: Number(PART_SIZE) }),
    storage: { apiEndpoint: GCS_ENDPOINT, projectId: GCS_PROJECT },
  }),
);
