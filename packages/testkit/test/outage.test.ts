import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  HEALTH_PATHS,
  backendOutage,
  createGcsBucket,
  createS3Client,
  describeWithDocker,
  dockerAvailability,
  startFakeGcs,
  startMinio,
} from '../src/index.js';
import type { GcsTarget, OutageKind, S3Target } from '../src/index.js';

const docker = await dockerAvailability();

/** Whether the endpoint answers at all within a second. */
async function answers(url: string): Promise<boolean> {
  try {
    await (await fetch(url, { signal: AbortSignal.timeout(1000) })).body?.cancel();
    return true;
  } catch {
    return false;
  }
}

describeWithDocker(docker, 'backendOutage', () => {
  let s3: S3Target;
  let gcs: GcsTarget;

  beforeAll(async () => {
    [s3, gcs] = await Promise.all([startMinio({ bucket: 'outage', ignoreExternal: true }), startFakeGcs({ backend: 'filesystem' })]);
  });
  afterAll(async () => {
    await Promise.all([s3?.stop(), gcs?.stop()]);
  });

  it('stops MinIO (connections refused) and starts it again on the same port with its objects', async () => {
    const client = createS3Client(s3);
    try {
      await client.send(new PutObjectCommand({ Bucket: s3.bucket, Key: 'kept', Body: 'acknowledged' }));
      const outage = backendOutage(s3, { healthPath: HEALTH_PATHS.minio });
      await outage.begin();
      expect(await answers(`${s3.endpoint}${HEALTH_PATHS.minio}`)).toBe(false);
      await outage.end();
      const object = await client.send(new GetObjectCommand({ Bucket: s3.bucket, Key: 'kept' }));
      expect(await object.Body?.transformToString()).toBe('acknowledged');
    } finally {
      client.destroy();
    }
  });

  it.each<OutageKind>(['stop', 'pause'])('takes fake-gcs-server (filesystem backend) down by %s and back with its objects', async (kind) => {
    const bucket = await createGcsBucket(gcs);
    const upload = `${gcs.endpoint}/upload/storage/v1/b/${bucket}/o?uploadType=media&name=kept-${kind}`;
    expect((await fetch(upload, { method: 'POST', body: 'acknowledged' })).status).toBe(200);
    const outage = backendOutage(gcs, { healthPath: HEALTH_PATHS.fakeGcs, kind });
    await outage.begin();
    expect(await answers(`${gcs.endpoint}${HEALTH_PATHS.fakeGcs}`)).toBe(false);
    await outage.end();
    const object = await fetch(`${gcs.endpoint}/storage/v1/b/${bucket}/o/kept-${kind}?alt=media`);
    expect(await object.text()).toBe('acknowledged');
  });

  it('refuses a target without a container', () => {
    expect(() => backendOutage({ endpoint: 'https://s3.example.com' }, { healthPath: '/' })).toThrow(/cannot be taken down/);
  });
});
