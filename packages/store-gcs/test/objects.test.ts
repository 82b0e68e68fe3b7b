import { Storage } from '@google-cloud/storage';
import { isTusError, type DataStore } from '@tuskit/core';
import { randomData, sha256, openUpload } from '@tuskit/core/testing';
import { expect, it } from 'vitest';
import type { GcsStoredObject } from '../src/index.js';
import { describeWithFakeGcs } from './support/fake-gcs.js';
import { fakeServiceAccount, isValidV4Signature } from './support/signed-url.js';

const KEY_PREFIX = 'objects/';
let counter = 0;

async function* bodyOf(...chunks: Uint8Array[]): AsyncIterable<Uint8Array> {
  yield* chunks;
}

/** A new upload holding `data` (written in two PATCHes), not yet finalized. */
async function written(store: DataStore, data: Uint8Array): Promise<string> {
  const id = `obj-${Date.now().toString(36)}-${counter++}`;
  await store.create({ id, size: data.length, metadata: { name: 'take 1.mp4' }, createdAt: new Date() });
  const half = Math.floor(data.length / 2);
  await (await openUpload(store, id)).write(0, bodyOf(data.subarray(0, half)));
  await (await openUpload(store, id)).write(half, bodyOf(data.subarray(half)));
  return id;
}

const notFound = (error: unknown) => isTusError(error, 'not_found');

describeWithFakeGcs('GcsStore finished objects', (gcs) => {
  const store = () => gcs.store({ keyPrefix: KEY_PREFIX, partSize: 100_000 });
  const metadataOf = async (name: string) => (await gcs.storage.bucket(gcs.bucket).file(name).getMetadata())[0];

  it('finalizes into one object with the media type, idempotently', async () => {
    const data = randomData(250_000);
    const s = store();
    const id = await written(s, data);
    await (await openUpload(s, id)).update({ media: { type: 'video', mime: 'video/mp4', ext: 'mp4' } });

    const object = (await (await openUpload(s, id)).finalize()) as GcsStoredObject;
    expect(object).toEqual({
      location: `gs://${gcs.bucket}/${KEY_PREFIX}${id}`,
      size: data.length,
      bucket: gcs.bucket,
      name: `${KEY_PREFIX}${id}`,
      contentType: 'video/mp4',
    });
    expect(await (await openUpload(s, id)).finalize()).toEqual(object);
    expect(await gcs.leftovers(id, KEY_PREFIX)).toEqual([object.name]);
    expect(await metadataOf(object.name)).toMatchObject({ size: String(data.length), contentType: 'video/mp4' });
    expect((await store().open(id))?.info).toMatchObject({
      offset: data.length,
      finalized: true,
      metadata: { name: 'take 1.mp4' },
      media: { mime: 'video/mp4' },
    });
  });

  it('falls back to application/octet-stream when no media was detected', async () => {
    const s = store();
    const id = await written(s, randomData(1000));
    expect((await (await openUpload(s, id)).finalize()).contentType).toBe('application/octet-stream');
  });

  it('reads a finished object whole and by range, and nothing else', async () => {
    const data = randomData(300_000);
    const s = store();
    const id = await written(s, data);
    await expect(s.read(id)).rejects.toSatisfy(notFound);
    await (await openUpload(s, id)).finalize();
    expect(await sha256(await s.read(id))).toBe(await sha256(data));
    expect(await sha256(await s.read(id, { start: 99_999, end: 200_000 }))).toBe(await sha256(data.subarray(99_999, 200_001)));
    await expect(s.read('never-created')).rejects.toSatisfy(notFound);
  });

  it('signs V4 download URLs for the finished object', async () => {
    const account = fakeServiceAccount();
    const storage = new Storage({ apiEndpoint: gcs.target.endpoint, projectId: gcs.target.projectId, credentials: account.credentials });
    const s = gcs.store({ keyPrefix: KEY_PREFIX, storage });
    const data = randomData(70_000);
    const id = await written(s, data);
    await expect(s.downloadUrl(id, { expiresInSeconds: 900 })).rejects.toSatisfy(notFound);
    await (await openUpload(s, id)).finalize();

    const signed = await s.downloadUrl(id, { expiresInSeconds: 900, contentType: 'audio/mpeg' });
    const url = new URL(signed);
    expect(url.origin).toBe(gcs.target.endpoint);
    expect(url.pathname).toBe(`/${gcs.bucket}/${KEY_PREFIX}${id}`);
    expect(Object.fromEntries(url.searchParams)).toMatchObject({
      'X-Goog-Algorithm': 'GOOG4-RSA-SHA256',
      'X-Goog-Credential': expect.stringMatching(/^uploads@tuskit-test\.iam\.gserviceaccount\.com\/\d{8}\/auto\/storage\/goog4_request$/),
      'X-Goog-Expires': '900',
      'X-Goog-SignedHeaders': 'host',
      'X-Goog-Signature': expect.stringMatching(/^[0-9a-f]{512}$/),
      'response-content-type': 'audio/mpeg',
    });
    expect(isValidV4Signature(url, account.publicKey)).toBe(true);
    const tampered = new URL(signed);
    tampered.searchParams.set('X-Goog-Expires', '604800');
    expect(isValidV4Signature(tampered, account.publicKey)).toBe(false);
    // fake-gcs-server serves the object without checking the signature: the bytes, not the auth, are proven here.
    const download = await fetch(signed);
    expect(await sha256(new Uint8Array(await download.arrayBuffer()))).toBe(await sha256(data));
    expect(await sha256(await s.read(id))).toBe(await sha256(data));
  });

  it('finishes an interrupted finalization on the next get', async () => {
    const s = store();
    const id = await written(s, randomData(150_000));
    const bucket = gcs.storage.bucket(gcs.bucket);
    const info = bucket.file(`${KEY_PREFIX}.tus/${id}/info`);
    await info.copy(bucket.file(`${KEY_PREFIX}saved-info-${id}`));
    await (await openUpload(s, id)).finalize();
    // As if the process died after composing, before deleting the record.
    await bucket.file(`${KEY_PREFIX}saved-info-${id}`).move(info);
    expect(await gcs.leftovers(id, KEY_PREFIX)).toEqual([`${KEY_PREFIX}${id}`, info.name].sort());

    expect((await store().open(id))?.info).toMatchObject({ offset: 150_000, finalized: true });
    expect(await gcs.leftovers(id, KEY_PREFIX)).toEqual([`${KEY_PREFIX}${id}`]);
  });

  it('never lets the parts of an interrupted removal into a new upload of the same id', async () => {
    const s = store();
    const id = await written(s, randomData(150_000));
    // As if a removal died after deleting the record but before the parts.
    await gcs.storage.bucket(gcs.bucket).file(`${KEY_PREFIX}.tus/${id}/info`).delete();
    expect(await s.open(id)).toBeUndefined();

    const data = randomData(90_000);
    await s.create({ id, size: data.length, metadata: {}, createdAt: new Date() });
    expect((await s.open(id))?.info.offset).toBe(0);
    expect(await (await openUpload(s, id)).write(0, bodyOf(data))).toBe(data.length);
    await (await openUpload(s, id)).finalize();
    expect(await sha256(await s.read(id))).toBe(await sha256(data));
    expect(await gcs.leftovers(id, KEY_PREFIX)).toEqual([`${KEY_PREFIX}${id}`]);
  });
});
