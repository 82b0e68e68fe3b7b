import { wavFile } from '@tuskit/core/testing';
import { Readable } from 'node:stream';
import { Upload, type FileReader, type UploadOptions } from 'tus-js-client';
import { expect, it } from 'vitest';
import { expectReadyAsset } from './support/assertions.js';
import { fixtureCases, type MediaCase } from './support/media.js';
import { CLIENT_MATRIX, describeOnServers } from './support/server.js';

/** The options of an upload to a pre-allocated URL, without retries (a failure must show). */
function clientOptions(uploadUrl: string, apiKey: string): UploadOptions {
  return { uploadUrl, headers: { authorization: `Bearer ${apiKey}` }, retryDelays: null, storeFingerprintForResuming: false };
}

/** Records the `Upload-Offset` of every PATCH the client sends. */
function patchOffsets(): { offsets: number[]; onBeforeRequest: UploadOptions['onBeforeRequest'] } {
  const offsets: number[] = [];
  return {
    offsets,
    onBeforeRequest: (req) => {
      if (req.getMethod() === 'PATCH') offsets.push(Number(req.getHeader('Upload-Offset')));
    },
  };
}

/** Runs a tus-js-client upload of `bytes` to a pre-allocated URL until it succeeds or fails. */
function tusUpload(bytes: Buffer, uploadUrl: string, apiKey: string, options: UploadOptions = {}): Promise<Upload> {
  return new Promise((resolve, reject) => {
    const upload: Upload = new Upload(bytes, {
      ...clientOptions(uploadUrl, apiKey),
      ...options,
      onSuccess: () => resolve(upload),
      onError: reject,
    });
    upload.start();
  });
}

/**
 * A tus-js-client file reader whose request bodies stop after byte `stallAt`
 * of the file until `released`: the test cuts the connection there.
 */
function stallingReader(stallAt: number, released: Promise<void>): FileReader {
  return {
    openFile: async (input: Buffer) => ({
      size: input.length,
      slice: async (start: number, end: number) => {
        const bytes = input.subarray(start, end);
        const body = Readable.from(stallAfter(bytes, stallAt - start, released), { objectMode: false });
        return { value: Object.assign(body, { size: bytes.length }), done: end >= input.length };
      },
      close: () => {},
    }),
  };
}

async function* stallAfter(bytes: Buffer, at: number, released: Promise<void>): AsyncGenerator<Buffer> {
  if (at > 0) yield bytes.subarray(0, at);
  await released;
  yield bytes.subarray(Math.max(at, 0));
}

/** A generated WAV whose duration is known exactly (48 kHz, 16-bit mono). */
function wavCase(bytes: number): MediaCase {
  return {
    name: `${bytes}-byte wav`,
    bytes: wavFile(bytes),
    type: 'audio',
    contentType: 'audio/wav',
    extension: 'wav',
    duration: ((bytes - 44) / 96_000).toFixed(3),
  };
}

// Every case on Express over fs, S3 (MinIO) and GCS (fake-gcs-server), and on Koa over fs (see CLIENT_MATRIX).
describeOnServers(CLIENT_MATRIX, 'tus-js-client against the API', (t) => {
  it.each(fixtureCases())('uploads $name in 4 KiB chunks', async (media) => {
    const { asset, location } = await t.api.createAsset(t.project.id, media.bytes.length, 'en');
    await tusUpload(media.bytes, location, t.server.apiKey, { chunkSize: 4096 });
    await expectReadyAsset(t, asset.id, media);
  });

  it.each([
    ['64 KiB chunks', 64 * 1024],
    ['one 6 MiB request', Number.POSITIVE_INFINITY],
  ])('uploads a 6 MiB WAV in %s', async (_, chunkSize) => {
    const media = wavCase(6 * 1024 * 1024 + 44);
    const { asset, location } = await t.api.createAsset(t.project.id, media.bytes.length);
    const { offsets, onBeforeRequest } = patchOffsets();
    await tusUpload(media.bytes, location, t.server.apiKey, { chunkSize, onBeforeRequest });
    expect(offsets.length).toBe(Number.isFinite(chunkSize) ? Math.ceil(media.bytes.length / chunkSize) : 1);
    await expectReadyAsset(t, asset.id, media);
  });

  it('resumes from the offset HEAD reports after the connection is cut mid-upload', async () => {
    const media = wavCase(8 * 1024 * 1024 + 44);
    const half = media.bytes.length / 2;
    const { asset, location } = await t.api.createAsset(t.project.id, media.bytes.length);

    let release = () => {};
    const released = new Promise<void>((resolve) => (release = resolve));
    const cut = new Upload(media.bytes, { ...clientOptions(location, t.server.apiKey), fileReader: stallingReader(half, released) });
    cut.start();
    await t.store.received(asset.id, half);
    await cut.abort();
    release();

    expect(await t.api.offset(location)).toBe(half);
    expect((await t.api.asset(asset.id)).body.state).toBe('pending_upload');

    const { offsets, onBeforeRequest } = patchOffsets();
    await tusUpload(media.bytes, location, t.server.apiKey, { onBeforeRequest });
    expect(offsets).toEqual([half]);
    await expectReadyAsset(t, asset.id, media);
  });
});
