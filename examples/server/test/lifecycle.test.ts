import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import type { DownloadUrlOptions, DownloadUrlStore } from '@tuskit/core';
import { wavFile } from '@tuskit/core/testing';
import { FileStore } from '@tuskit/store-fs';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { expectReadyAsset, sha256 } from './support/assertions.js';
import { fixture, fixtureCases } from './support/media.js';
import { CLIENT_MATRIX, describeOnServers, download, FRAMEWORK_NAMES, startTestServer, suiteServer } from './support/server.js';

const DAY_MS = 24 * 60 * 60 * 1000;

// On Express over fs, S3 (MinIO) and GCS (fake-gcs-server), and on Koa over fs (see CLIENT_MATRIX).
describeOnServers(CLIENT_MATRIX, 'asset lifecycle', (t, on) => {
  it('fails an asset whose first chunk is a PDF: 409, unsupported_media_type, upload gone', async () => {
    const pdf = fixture('not-media/document.pdf');
    const { asset, location } = await t.api.createAsset(t.project.id, pdf.length);
    expect(await t.store.leftovers(asset.id)).not.toEqual([]);
    const patch = await t.api.patch(location, 0, pdf);
    expect(patch.status).toBe(409);
    const { body } = await t.api.asset(asset.id);
    expect(body).toMatchObject({ state: 'failed', error_code: 'unsupported_media_type', upload_url: null, download_url: null });
    expect(body.error_message).toContain('application/pdf');
    expect((await fetch(location, { method: 'HEAD', headers: { ...t.api.auth, 'tus-resumable': '1.0.0' } })).status).toBe(404);
    expect(await t.store.leftovers(asset.id)).toEqual([]);
  });

  it('names an unknown format in the failure message', async () => {
    const { asset, location } = await t.api.createAsset(t.project.id, 8192);
    expect((await t.api.patch(location, 0, fixture('not-media/zeros.bin'))).status).toBe(409);
    expect((await t.api.asset(asset.id)).body).toMatchObject({ state: 'failed', error_message: expect.stringContaining('no known format') });
  });

  it('sets the media fields from the first chunk while the upload goes on', async () => {
    const wav = wavFile(10_000);
    const { asset, location } = await t.api.createAsset(t.project.id, wav.length);
    await t.api.upload(location, wav.subarray(0, 4000));
    expect((await t.api.asset(asset.id)).body).toMatchObject({
      state: 'pending_upload',
      type: 'audio',
      content_type: 'audio/wav',
      extension: 'wav',
      size_bytes: 10_000,
      upload_url: location,
      duration_seconds: null,
    });
  });

  it('fails an asset whose duration cannot be measured with duration_unavailable', async () => {
    const riff = Buffer.concat([Buffer.from('RIFF\0\0\0\0WAVEjunk'), Buffer.from([200, 0, 0, 0]), Buffer.alloc(200)]);
    const { asset, location } = await t.api.createAsset(t.project.id, riff.length);
    await t.api.upload(location, riff);
    await t.server.drain();
    expect((await t.api.asset(asset.id)).body).toMatchObject({
      state: 'failed',
      type: 'audio',
      error_code: 'duration_unavailable',
      error_message: expect.stringContaining('audio/wav'),
      duration_seconds: null,
      download_url: null,
    });
  });

  it('deletes the asset when its unfinished upload is terminated; a stale URL cannot delete a finished one', async () => {
    const wav = wavFile(5000);
    const pending = await t.api.createAsset(t.project.id, wav.length);
    await t.api.upload(pending.location, wav.subarray(0, 1000));
    const done = await t.api.createAsset(t.project.id, wav.length);
    await t.api.upload(done.location, wav);
    await t.server.drain();
    expect((await t.api.asset(done.asset.id)).body.state).toBe('ready');
    const terminate = (location: string) => fetch(location, { method: 'DELETE', headers: { ...t.api.auth, 'tus-resumable': '1.0.0' } });

    expect(await t.store.leftovers(pending.asset.id)).not.toEqual([]);
    expect((await terminate(pending.location)).status).toBe(204);
    expect((await t.api.asset(pending.asset.id)).status).toBe(404);
    expect(await t.store.leftovers(pending.asset.id)).toEqual([]);

    const refused = await terminate(done.location);
    expect(refused.status).toBe(403);
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('termination_refused');
    expect((await t.api.asset(done.asset.id)).body.state).toBe('ready');
    expect(await t.store.leftovers(done.asset.id)).not.toEqual([]);
  });

  it('DELETE /v1/assets/{id} deletes a failed asset (unsupported_media_type) and a ready one with its stored bytes', async () => {
    const pdf = fixture('not-media/document.pdf');
    const failed = await t.api.createAsset(t.project.id, pdf.length);
    expect((await t.api.patch(failed.location, 0, pdf)).status).toBe(409);
    const wav = wavFile(5000);
    const ready = await t.api.createAsset(t.project.id, wav.length);
    await t.api.upload(ready.location, wav);
    await t.server.drain();
    expect((await t.api.asset(ready.asset.id)).body.state).toBe('ready');
    expect(await t.store.leftovers(ready.asset.id)).not.toEqual([]);

    for (const { asset } of [failed, ready]) {
      const deleted = await t.api.call('DELETE', `/v1/assets/${asset.id}`);
      expect(deleted.status).toBe(204);
      expect((await t.api.asset(asset.id)).status).toBe(404);
      expect(await t.store.leftovers(asset.id)).toEqual([]);
      expect((await t.api.call('DELETE', `/v1/assets/${asset.id}`)).status).toBe(404);
    }
    expect((await t.api.call('DELETE', `/v1/assets/${ready.asset.id}`, { auth: false })).status).toBe(401);
  });

  it('DELETE /v1/assets/{id} refuses an asset still uploading with 409 asset_busy and keeps its bytes', async () => {
    const wav = wavFile(5000);
    const { asset, location } = await t.api.createAsset(t.project.id, wav.length);
    await t.api.upload(location, wav.subarray(0, 1000));
    const refused = await t.api.call('DELETE', `/v1/assets/${asset.id}`);
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe('asset_busy');
    expect((await t.api.asset(asset.id)).body.state).toBe('pending_upload');
    expect(await t.api.offset(location)).toBe(1000);
  });

  it('removes expired uploads and their assets when reaped, and only those', async () => {
    const wav = wavFile(5000);
    const untouched = await t.api.createAsset(t.project.id, wav.length);
    const started = await t.api.createAsset(t.project.id, wav.length);
    await t.api.upload(started.location, wav.subarray(0, 1000));
    const complete = await t.api.createAsset(t.project.id, wav.length);
    await t.api.upload(complete.location, wav);

    expect(await t.server.reap()).toEqual([]);
    // Idle expiry (48 h after the last PATCH) comes before the initial one (7 days after creation).
    const reapedIdle = await t.server.reap(new Date(Date.now() + 2 * DAY_MS + 60_000));
    expect(reapedIdle).toContain(started.asset.id);
    expect(reapedIdle).not.toContain(untouched.asset.id);
    const reapedAll = await t.server.reap(new Date(Date.now() + 7 * DAY_MS + 60_000));
    expect(reapedAll).toContain(untouched.asset.id);
    expect(reapedAll).not.toContain(complete.asset.id);

    for (const { asset } of [untouched, started]) {
      expect((await t.api.asset(asset.id)).status).toBe(404);
      expect(await t.store.leftovers(asset.id)).toEqual([]);
    }
    await t.server.drain();
    expect((await t.api.asset(complete.asset.id)).body.state).toBe('ready');
  });

  // S3 and Azure hand out their own presigned and SAS URLs instead (expectReadyAsset fetches them, whole and by range).
  if (on.store !== 's3' && on.store !== 'azure') describe('signed downloads of the API', () => {
    const media = fixtureCases()[3]!; // audio.wav
    let downloadUrl: string;

    beforeAll(async () => {
      const { asset, location } = await t.api.createAsset(t.project.id, media.bytes.length);
      await t.api.upload(location, media.bytes, 7000);
      await expectReadyAsset(t, asset.id, media);
      downloadUrl = (await t.api.asset(asset.id)).body.download_url as string;
    });
    afterEach(() => vi.useRealTimers());

    it('serves ranges: suffix, open-ended, clamped, 416 past the end', async () => {
      const size = media.bytes.length;
      const cases: Array<[string, number, string, Buffer]> = [
        ['bytes=-100', 206, `bytes ${size - 100}-${size - 1}/${size}`, media.bytes.subarray(size - 100)],
        ['bytes=1000-', 206, `bytes 1000-${size - 1}/${size}`, media.bytes.subarray(1000)],
        [`bytes=0-${size + 500}`, 206, `bytes 0-${size - 1}/${size}`, media.bytes],
        ['bytes=0-0', 206, `bytes 0-0/${size}`, media.bytes.subarray(0, 1)],
      ];
      for (const [range, status, contentRange, bytes] of cases) {
        const answer = await download(downloadUrl, { range });
        expect([range, answer.status, answer.headers.get('content-range')]).toEqual([range, status, contentRange]);
        expect(answer.headers.get('content-length')).toBe(String(bytes.length));
        expect(sha256(answer.bytes)).toBe(sha256(bytes));
      }
      const past = await download(downloadUrl, { range: `bytes=${size}-` });
      expect(past.status).toBe(416);
      expect(past.headers.get('content-range')).toBe(`bytes */${size}`);
      const whole = await download(downloadUrl, { range: 'bytes=0-1,5-9' });
      expect(whole.status).toBe(200);
      expect(sha256(whole.bytes)).toBe(sha256(media.bytes));
    });

    it('answers HEAD with the headers only', async () => {
      const response = await fetch(downloadUrl, { method: 'HEAD' });
      expect(response.status).toBe(200);
      expect(response.headers.get('content-length')).toBe(String(media.bytes.length));
      expect(response.headers.get('accept-ranges')).toBe('bytes');
    });

    it('refuses a tampered link with 403', async () => {
      const url = new URL(downloadUrl);
      const tampered = [
        new URL(url),
        new URL(url.href.replace(/\/v1\/downloads\/[^?]+/, `/v1/downloads/${t.project.id}`)),
        new URL(url),
        new URL(url),
      ];
      tampered[0]!.searchParams.set('expires', String(Number(url.searchParams.get('expires')) + 3600));
      tampered[2]!.searchParams.delete('signature');
      tampered[3]!.searchParams.set('signature', 'A'.repeat(43));
      for (const link of tampered) {
        const answer = await download(link.href);
        expect(answer.status).toBe(403);
        expect(JSON.parse(answer.bytes.toString()).error.code).toBe('invalid_signature');
      }
    });

    it('accepts only the canonical form of expires and signature', async () => {
      const link = new URL(downloadUrl);
      const expires = link.searchParams.get('expires')!;
      const signature = link.searchParams.get('signature')!;
      // The 43rd base64url character carries two unused bits: flipping the lowest spells the same bytes.
      const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
      const sameBytes = signature.slice(0, -1) + alphabet[alphabet.indexOf(signature.at(-1)!) ^ 1];
      const variants: Array<Array<[string, string]>> = [
        [['expires', expires], ['signature', `${signature}A`]],
        [['expires', expires], ['signature', `${signature}=`]],
        [['expires', expires], ['signature', sameBytes]],
        [['expires', `0x${Number(expires).toString(16)}`], ['signature', signature]],
        [['expires', `+${expires}`], ['signature', signature]],
        [['expires', `${expires}.0`], ['signature', signature]],
        [['expires', `0${expires}`], ['signature', signature]],
        [['expires', ` ${expires}`], ['signature', signature]],
        [['expires', expires], ['signature', signature], ['signature', signature]],
        [['expires', expires], ['expires', expires], ['signature', signature]],
      ];
      for (const params of variants) {
        const variant = new URL(link);
        variant.search = new URLSearchParams(params).toString();
        const answer = await download(variant.href);
        expect({ params, status: answer.status }).toEqual({ params, status: 403 });
        expect(JSON.parse(answer.bytes.toString()).error.code).toBe('invalid_signature');
      }
      const canonical = await download(link.href);
      expect(canonical.status).toBe(200);
      expect(sha256(canonical.bytes)).toBe(sha256(media.bytes));
    });

    it('honours a Range only when If-Range matches its strong ETag; any other validator gets the whole object', async () => {
      const whole = await download(downloadUrl);
      const etag = whole.headers.get('etag')!;
      expect(etag).toMatch(/^"[^"]+"$/);
      const matching = await download(downloadUrl, { range: 'bytes=0-99', 'if-range': etag });
      expect(matching.status).toBe(206);
      expect(sha256(matching.bytes)).toBe(sha256(media.bytes.subarray(0, 100)));
      for (const validator of ['"something-else"', `W/${etag}`, 'Sat, 01 Jan 2000 00:00:00 GMT']) {
        const other = await download(downloadUrl, { range: 'bytes=0-99', 'if-range': validator });
        expect({ validator, status: other.status, range: other.headers.get('content-range') }).toEqual({ validator, status: 200, range: null });
        expect(sha256(other.bytes)).toBe(sha256(media.bytes));
      }
    });

    it('refuses a link after its 15 minutes with 403', async () => {
      vi.useFakeTimers({ toFake: ['Date'], now: Date.now() + 15 * 60 * 1000 + 1000 });
      const answer = await download(downloadUrl);
      expect(answer.status).toBe(403);
      expect(JSON.parse(answer.bytes.toString()).error.code).toBe('link_expired');
    });
  });
});

describe.each(FRAMEWORK_NAMES)('upload expiry settings on %s', (framework) => {
  const t = suiteServer(framework, { uploadTtlSeconds: 2, uploadIdleTtlSeconds: 600, reapIntervalSeconds: 1 });

  it('expires a new upload after UPLOAD_TTL_SECONDS, one written to after UPLOAD_IDLE_TTL_SECONDS', async () => {
    const created = Date.now();
    const idle = await t.api.createAsset(t.project.id, 5000);
    const active = await t.api.createAsset(t.project.id, 5000);
    const patch = await t.api.patch(active.location, 0, wavFile(5000).subarray(0, 1000));
    expect(patch.status).toBe(204);
    const idleExpiry = Date.parse(patch.headers.get('upload-expires') ?? '') - Date.now();
    expect(idleExpiry).toBeGreaterThan(598_000);
    expect(idleExpiry).toBeLessThanOrEqual(600_000);

    // The reaper runs every REAP_INTERVAL_SECONDS on its own: wait for the log line of its deletion.
    await t.log.waitFor(new RegExp(`asset ${idle.asset.id} deleted: upload expired`));
    expect(Date.now() - created).toBeGreaterThanOrEqual(2000);
    expect((await t.api.asset(idle.asset.id)).status).toBe(404);
    expect((await t.api.asset(active.asset.id)).body.state).toBe('pending_upload');
  });
});

/** The fs store plus the presigning capability of S3 and GCS stores. */
class PresigningFileStore extends FileStore implements DownloadUrlStore {
  async downloadUrl(id: string, options: DownloadUrlOptions): Promise<string> {
    return `https://bucket.example/${id}?expires-in=${options.expiresInSeconds}&type=${options.contentType}`;
  }
}

describe('a store that presigns download URLs', () => {
  it('gives its URL as download_url instead of a signed link of the API', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'tuskit-presign-'));
    const store = new PresigningFileStore({ directory: join(dataDir, 'uploads') });
    const t = await startTestServer('koa', { dataDir, store });
    try {
      const media = fixtureCases()[3]!; // audio.wav
      const project = await t.api.createProject();
      const { asset, location } = await t.api.createAsset(project.id, media.bytes.length);
      await t.api.upload(location, media.bytes);
      await t.server.drain();
      expect((await t.api.asset(asset.id)).body).toMatchObject({
        state: 'ready',
        download_url: `https://bucket.example/${asset.id}?expires-in=900&type=audio/wav`,
      });
    } finally {
      await t.dispose();
    }
  });
});

describe.each(FRAMEWORK_NAMES)('restarting the server on %s', (framework) => {
  it('keeps projects and assets, and an upload resumes where it stopped', async () => {
    const media = fixtureCases()[4]!; // video.mp4
    const first = await startTestServer(framework);
    const project = await first.api.createProject('Kept');
    const { asset, location } = await first.api.createAsset(project.id, media.bytes.length, 'de');
    await first.api.upload(location, media.bytes.subarray(0, 10_000), 5000);
    const downloadBefore = await first.api.createAsset(project.id, 64);
    await first.server.close();

    const second = await first.restart();
    try {
      expect(second.server.url).not.toBe(first.server.url);
      const api = second.api;
      const kept = await api.call('GET', `/v1/assets?project_id=${project.id}`);
      expect(kept.body.data.map((a: { id: string }) => a.id)).toEqual([downloadBefore.asset.id, asset.id]);
      const before = (await api.asset(asset.id)).body;
      expect(before).toMatchObject({ state: 'pending_upload', type: 'video', language: 'de' });
      const resumedUrl = before.upload_url as string;
      expect(resumedUrl).toBe(`${second.server.url}/v1/uploads/${asset.id}`);
      expect(await api.offset(resumedUrl)).toBe(10_000);
      await api.upload(resumedUrl, media.bytes, 6000, 10_000);
      await expectReadyAsset(second, asset.id, media);
      expect(second.errors).toEqual([]);
    } finally {
      await second.dispose();
    }
  });
});

describe('completions a crash interrupted, on a running server', () => {
  const t = suiteServer('express', { reapIntervalSeconds: 1 });

  it('are delivered again by the periodic sweep, without any client: the asset ends ready, byte-exact', async () => {
    const wav = wavFile(20_000);
    const { asset, location } = await t.api.createAsset(t.project.id, wav.length);
    await t.api.upload(location, wav.subarray(0, 8000));
    // What a process killed after finalizing, before onComplete, leaves: every byte stored, the upload
    // finalized, the asset pending_upload (a HEAD no longer completes it, the reaper skips it).
    const upload = (await t.store.store.open(asset.id))!;
    await upload.write(8000, Readable.from([wav.subarray(8000)]));
    await upload.finalize();
    expect((await t.api.asset(asset.id)).body.state).toBe('pending_upload');

    await t.log.waitFor(new RegExp(`asset ${asset.id}: completion delivered again`));
    await t.server.drain();
    const { body } = await t.api.asset(asset.id);
    expect(body).toMatchObject({ state: 'ready', size_bytes: wav.length, upload_url: null });
    expect(sha256((await download(body.download_url as string)).bytes)).toBe(sha256(wav));
    // Delivered once: later sweeps find the asset past pending_upload.
    expect(await t.server.recover()).toEqual([]);
  });
});
