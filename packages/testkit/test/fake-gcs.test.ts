import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createGcsBucket, describeWithDocker, dockerAvailability, startFakeGcs } from '../src/index.js';
import type { GcsTarget } from '../src/index.js';
import { containerExists } from './support.js';

const docker = await dockerAvailability();
const CHUNK = 256 * 1024;

describeWithDocker(docker, 'startFakeGcs', () => {
  let gcs: GcsTarget;

  beforeAll(async () => {
    gcs = await startFakeGcs();
  });

  afterAll(async () => {
    await gcs?.stop();
  });

  it('creates a bucket that the JSON API lists', async () => {
    const bucket = await createGcsBucket(gcs);

    const response = await fetch(`${gcs.endpoint}/storage/v1/b?project=${gcs.projectId}`);
    const listing = (await response.json()) as { items?: { name: string }[] };

    expect(gcs.endpoint).toMatch(/^http:\/\/(127\.0\.0\.1|localhost):\d+$/);
    expect(listing.items?.map((item) => item.name)).toContain(bucket);
  });

  it('round-trips bytes with a media upload', async () => {
    const bucket = await createGcsBucket(gcs);
    const body = randomBytes(CHUNK + 11);

    const upload = await fetch(objectUploadUrl(gcs, bucket, 'media', 'nested/media.bin'), { method: 'POST', body });
    expect(upload.status).toBe(200);

    expect((await download(gcs, bucket, 'nested/media.bin')).equals(body)).toBe(true);
  });

  it('hands out resumable-upload Locations that point back at the endpoint', async () => {
    const bucket = await createGcsBucket(gcs);
    const body = randomBytes(2 * CHUNK + 5);

    const location = await startResumableUpload(gcs, bucket, 'nested/resumable.bin');
    expect(new URL(location).origin).toBe(new URL(gcs.endpoint).origin);

    const first = await putChunk(location, body, 0, CHUNK);
    expect(first.status).toBe(308);
    expect(first.headers.get('range')).toBe(`bytes=0-${CHUNK - 1}`);

    const last = await putChunk(location, body, CHUNK, body.length);
    expect(last.status).toBe(200);

    expect((await download(gcs, bucket, 'nested/resumable.bin')).equals(body)).toBe(true);
  });

  it('removes the container on stop, and a second stop is harmless', async () => {
    await gcs.stop();
    await gcs.stop();

    expect(await containerExists(gcs.containerId)).toBe(false);
  });
});

function objectUploadUrl(gcs: GcsTarget, bucket: string, uploadType: string, name: string): string {
  return `${gcs.endpoint}/upload/storage/v1/b/${bucket}/o?uploadType=${uploadType}&name=${encodeURIComponent(name)}`;
}

async function startResumableUpload(gcs: GcsTarget, bucket: string, name: string): Promise<string> {
  const response = await fetch(objectUploadUrl(gcs, bucket, 'resumable', name), {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-upload-content-type': 'application/octet-stream' },
    body: JSON.stringify({ name }),
  });
  const location = response.headers.get('location');
  if (response.status !== 200 || location === null) {
    throw new Error(`resumable upload not started: ${response.status} ${await response.text()}`);
  }
  return location;
}

/** Sends body[start, end) with a known total, as a resumable client does. */
async function putChunk(location: string, body: Buffer, start: number, end: number): Promise<Response> {
  const response = await fetch(location, {
    method: 'PUT',
    // A 308 here means "resume incomplete", not a redirect to follow.
    redirect: 'manual',
    headers: { 'content-range': `bytes ${start}-${end - 1}/${body.length}` },
    body: body.subarray(start, end),
  });
  await response.body?.cancel();
  return response;
}

async function download(gcs: GcsTarget, bucket: string, name: string): Promise<Buffer> {
  const response = await fetch(`${gcs.endpoint}/storage/v1/b/${bucket}/o/${encodeURIComponent(name)}?alt=media`);
  expect(response.status).toBe(200);
  return Buffer.from(await response.arrayBuffer());
}
