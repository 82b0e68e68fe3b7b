import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  CreateMultipartUploadCommand,
  ListMultipartUploadsCommand,
  PutObjectCommand,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { isTusError } from '@tuskit/core';
import { FIXTURES_DIR, openUpload, sha256, wavFile } from '@tuskit/core/testing';
import { describe, expect, it } from 'vitest';
import type { S3Store, S3StoreOptions } from '../src/index.js';
import { TusServer, headOffset, patch, rawPatch, upload } from './support/http.js';
import { bodyOf, describeWithMinio, finalizedObjects } from './support/minio.js';

const KiB = 1024;
const MiB = 1024 * KiB;
const EMPTY = { objects: [], multipartUploads: [] };

await describeWithMinio('S3Store scenarios against MinIO', (minio) => {
  /** A store on a fresh bucket, served over HTTP; each scenario checks that bucket whole. */
  async function scenario(options: Partial<S3StoreOptions> = {}) {
    const bucket = await minio.newBucket();
    const store = minio.store({ bucket, partSize: 5 * MiB, ...options });
    const server = await new TusServer().start(store);
    return { bucket, store, server, contents: () => minio.contents(bucket) };
  }

  describe('over HTTP', () => {
    it('keeps the bytes of a connection dropped mid-part and resumes byte-exact', async () => {
      const { store, server, contents } = await scenario();
      const data = wavFile(12 * MiB + 5);
      const { id, url } = await server.create(data.length);
      const dropped = rawPatch(url, 0, data.length);
      await dropped.write(data.subarray(0, 7 * MiB));
      await server.progressed(id, 7 * MiB);
      dropped.req.destroy();
      expect(await dropped.response).toBeInstanceOf(Error);
      expect(await headOffset(url)).toBe(7 * MiB);
      expect(await upload(url, data, 4 * MiB, 7 * MiB)).toBe(data.length);
      expect(await sha256(await store.read(id))).toBe(await sha256(data));
      expect(await contents()).toEqual(finalizedObjects([id]));
      await server.stop();
    });

    it('runs parallel uploads byte-exact', async () => {
      const { store, server, contents } = await scenario({ partConcurrency: 3 });
      const files = Array.from({ length: 4 }, (_, i) => wavFile(11 * MiB + i * 7919));
      const uploads = await Promise.all(files.map((file) => server.create(file.length)));
      await Promise.all(files.map((file, i) => upload(uploads[i]!.url, file, 3 * MiB + i * 4099)));
      for (const [i, file] of files.entries()) {
        expect(await sha256(await store.read(uploads[i]!.id))).toBe(await sha256(file));
      }
      expect(await contents()).toEqual(finalizedObjects(uploads.map((u) => u.id)));
      await server.stop();
    });

    it('leaves nothing behind when terminated during a write', async () => {
      const { server, contents } = await scenario();
      const data = wavFile(12 * MiB);
      const { id, url } = await server.create(data.length);
      const writing = rawPatch(url, 0, data.length);
      await writing.write(data.subarray(0, 7 * MiB));
      await server.progressed(id, 7 * MiB);
      const terminated = await fetch(url, { method: 'DELETE', headers: { 'tus-resumable': '1.0.0' } });
      expect(terminated.status).toBe(204);
      expect(await writing.response).toBe(204);
      writing.req.destroy();
      expect(server.terminated).toEqual([id]);
      expect(await headOffset(url)).toBe('status 404');
      expect(await contents()).toEqual(EMPTY);
      await server.stop();
    });

    it('leaves nothing behind when the first chunk is refused', async () => {
      const { server, contents } = await scenario();
      const pdf = readFileSync(join(FIXTURES_DIR, 'not-media', 'document.pdf'));
      const { url } = await server.create(pdf.length);
      expect((await patch(url, 0, pdf)).status).toBe(409);
      expect(await contents()).toEqual(EMPTY);
      await server.stop();
    });

    it('leaves nothing behind when expired uploads are reaped', async () => {
      const { server, contents } = await scenario();
      const data = wavFile(8 * MiB);
      const started = await server.create(data.length);
      const untouched = await server.create(data.length);
      expect(await upload(started.url, data.subarray(0, 6 * MiB), 6 * MiB)).toBe(6 * MiB);
      const reaped = await server.tus.reap(new Date(Date.now() + 8 * 24 * 3600 * 1000));
      expect(reaped.sort()).toEqual([started.id, untouched.id].sort());
      expect(await contents()).toEqual(EMPTY);
      await server.stop();
    });
  });

  describe('parts', () => {
    const data = wavFile(26 * MiB);
    const patches = [7 * MiB, 14 * MiB, 21 * MiB];

    async function writeUpTo21MiB(store: S3Store): Promise<string> {
      const id = `parts-${Math.random().toString(36).slice(2)}`;
      await store.create({ id, size: data.length, metadata: {}, createdAt: new Date() });
      let offset = 0;
      for (const end of patches) offset = await (await openUpload(store, id)).write(offset, bodyOf(data.subarray(offset, end)));
      return id;
    }

    async function finish(store: S3Store, id: string): Promise<void> {
      expect(await (await openUpload(store, id)).write(21 * MiB, bodyOf(data.subarray(21 * MiB)))).toBe(data.length);
      await (await openUpload(store, id)).finalize();
      expect(await sha256(await store.read(id))).toBe(await sha256(data));
    }

    it('cuts every part but the last at exactly the part size with equalParts (R2)', async () => {
      const bucket = await minio.newBucket();
      const store = minio.store({ bucket, partSize: 8 * MiB, equalParts: true });
      const id = await writeUpTo21MiB(store);
      expect(await minio.partSizes(id, bucket)).toEqual([8 * MiB, 8 * MiB]);
      expect((await minio.contents(bucket)).objects).toEqual([`${id}.info`, `${id}.tail/00003-0000000000`]);
      expect((await store.open(id))?.info.offset).toBe(21 * MiB);
      await finish(store, id);
    });

    it('uploads a PATCH that ends 5 MiB or more into a part as a shorter part by default', async () => {
      const bucket = await minio.newBucket();
      const store = minio.store({ bucket, partSize: 8 * MiB });
      const id = await writeUpTo21MiB(store);
      expect(await minio.partSizes(id, bucket)).toEqual([7 * MiB, 7 * MiB, 7 * MiB]);
      expect((await minio.contents(bucket)).objects).toEqual([`${id}.info`]);
      await finish(store, id);
      expect(await minio.contents(bucket)).toEqual(finalizedObjects([id]));
    });
  });

  describe('what an interrupted write leaves behind', () => {
    it('is ignored by the offset and cleared by the next write and finalization', async () => {
      const bucket = await minio.newBucket();
      const store = minio.store({ bucket, partSize: 5 * MiB });
      const data = wavFile(12 * MiB);
      const id = 'residue';
      await store.create({ id, size: data.length, metadata: {}, createdAt: new Date() });
      expect(await (await openUpload(store, id)).write(0, bodyOf(data.subarray(0, 6 * MiB)))).toBe(6 * MiB);

      // A segment of the part already cut, one of a part not reached, a part past a gap, an orphan upload.
      const put = (Key: string) => minio.raw.send(new PutObjectCommand({ Bucket: bucket, Key, Body: wavFile(100) }));
      await put(`${id}.tail/00001-0000000000`);
      await put(`${id}.tail/00004-0000000000`);
      const listed = await minio.raw.send(new ListMultipartUploadsCommand({ Bucket: bucket, Prefix: id }));
      const UploadId = listed.Uploads?.[0]?.UploadId;
      const stalePart = { Bucket: bucket, Key: id, UploadId, PartNumber: 3, Body: wavFile(5 * MiB) };
      await minio.raw.send(new UploadPartCommand(stalePart));
      await minio.raw.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: id }));
      expect((await store.open(id))?.info.offset).toBe(6 * MiB);

      expect(await (await openUpload(store, id)).write(6 * MiB, bodyOf(data.subarray(6 * MiB)))).toBe(data.length);
      await (await openUpload(store, id)).finalize();
      expect(await sha256(await store.read(id))).toBe(await sha256(data));
      expect(await minio.contents(bucket)).toEqual(finalizedObjects([id]));
    });

    it('is removed with the upload', async () => {
      const bucket = await minio.newBucket();
      const store = minio.store({ bucket });
      await store.create({ id: 'orphaned', size: 100, metadata: {}, createdAt: new Date() });
      await minio.raw.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: 'orphaned' }));
      await minio.raw.send(new PutObjectCommand({ Bucket: bucket, Key: 'orphaned.tail/00002-0000000000', Body: 'x' }));
      await (await openUpload(store, 'orphaned')).remove();
      expect(await minio.contents(bucket)).toEqual(EMPTY);
    });
  });

  describe('downloads', () => {
    it('presigns a GET that serves the bytes, the type and ranges without credentials', async () => {
      const store = minio.store({ keyPrefix: 'downloads/' });
      const data = wavFile(3 * MiB + 3);
      const id = 'download-1';
      await store.create({ id, size: data.length, metadata: {}, createdAt: new Date() });
      await (await openUpload(store, id)).update({ media: { type: 'audio', mime: 'audio/wav', ext: 'wav' } });
      await expect(store.downloadUrl(id, { expiresInSeconds: 60 })).rejects.toSatisfy((e) => isTusError(e, 'not_found'));
      await (await openUpload(store, id)).write(0, bodyOf(data));
      await (await openUpload(store, id)).finalize();

      const whole = await fetch(await store.downloadUrl(id, { expiresInSeconds: 60 }));
      expect(whole.status).toBe(200);
      expect(whole.headers.get('content-type')).toBe('audio/wav');
      expect(await sha256(new Uint8Array(await whole.arrayBuffer()))).toBe(await sha256(data));

      const url = await store.downloadUrl(id, { expiresInSeconds: 60, contentType: 'application/octet-stream' });
      const part = await fetch(url, { headers: { range: 'bytes=100-1099' } });
      expect(part.status).toBe(206);
      expect(part.headers.get('content-type')).toBe('application/octet-stream');
      expect(Buffer.from(await part.arrayBuffer()).equals(data.subarray(100, 1100))).toBe(true);

      expect((await fetch(url.replace(/X-Amz-Signature=[0-9a-f]+/, 'X-Amz-Signature=00'))).status).toBe(403);
    });
  });
});
