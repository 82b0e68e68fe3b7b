// Real TUS clients outside Node: the README's curl loop (bash) and Python's tuspy.
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { TOOLS, commandAvailability, describeWithTool } from '@tuskit/testkit';
import { expect, it } from 'vitest';
import { expectReadyAsset } from './support/assertions.js';
import { FIXTURES_DIR, fixtureCases, type MediaCase } from './support/media.js';
import { CLIENT_MATRIX, describeOnServers } from './support/server.js';

const run = promisify(execFile);
const CURL_SCRIPT = fileURLToPath(new URL('./clients/curl-upload.sh', import.meta.url));
const TUSPY_SCRIPT = fileURLToPath(new URL('./clients/tuspy_upload.py', import.meta.url));
/** `npm test` points this at a virtualenv of its cache when the system's python3 lacks tuspy. */
const PYTHON = process.env.TUSKIT_PYTHON ?? 'python3';
const [m4a, mp3, ogg, wav, mp4, webm] = fixtureCases() as [MediaCase, MediaCase, MediaCase, MediaCase, MediaCase, MediaCase];
const pathOf = (media: MediaCase) => `${FIXTURES_DIR}/media/${media.name}`;

// Every case on Express over fs, S3 (MinIO) and GCS (fake-gcs-server), and on Koa over fs (see CLIENT_MATRIX).
describeOnServers(CLIENT_MATRIX, 'real clients against the API', (t) => {
  describeWithTool(TOOLS.curl, commandAvailability('curl', ['--version']), 'curl, the raw shell loop', () => {
    const curlUpload = async (media: MediaCase, chunk: number, extra: { url?: string; maxChunks?: number } = {}) => {
      const env: NodeJS.ProcessEnv = { ...process.env, API: t.server.url, API_KEY: t.server.apiKey, PROJECT_ID: t.project.id };
      if (extra.maxChunks !== undefined) env.MAX_CHUNKS = String(extra.maxChunks);
      const args = [CURL_SCRIPT, pathOf(media), String(chunk), ...(extra.url ? [extra.url] : [])];
      const { stdout } = await run('bash', args, { env });
      const [url = '', ...offsets] = stdout.trim().split('\n');
      return { url, offsets: offsets.map((line) => Number(line.replace('offset ', ''))) };
    };

    it.each([
      { media: mp3, chunk: 5000 },
      { media: m4a, chunk: 1_000_000 },
    ])('uploads $media.name in chunks of $chunk bytes', async ({ media, chunk }) => {
      const { url, offsets } = await curlUpload(media, chunk);
      expect(offsets.at(-1)).toBe(media.bytes.length);
      await expectReadyAsset(t, url.split('/').at(-1) as string, media);
    });

    it('resumes an interrupted upload from the offset HEAD reports', async () => {
      const first = await curlUpload(webm, 4096, { maxChunks: 2 });
      expect(first.offsets).toEqual([0, 4096, 8192]);
      const second = await curlUpload(webm, 4096, { url: first.url });
      expect(second.offsets[0]).toBe(8192);
      expect(second.offsets.at(-1)).toBe(webm.bytes.length);
      await expectReadyAsset(t, first.url.split('/').at(-1) as string, webm);
    });
  });

  describeWithTool(TOOLS.tuspy, commandAvailability(PYTHON, ['-c', 'import tusclient']), 'tuspy, the Python client', () => {
    const tuspyUpload = async (media: MediaCase, url: string, chunk: number, stopAt?: number) => {
      const args = [TUSPY_SCRIPT, t.server.apiKey, url, pathOf(media), String(chunk), ...(stopAt ? [String(stopAt)] : [])];
      const { stdout } = await run(PYTHON, args);
      const [start, end] = stdout.trim().split('\n').map((line) => Number(line.split(' ')[1]));
      return { start, end };
    };

    it.each([
      { media: ogg, chunk: 2048 },
      { media: mp4, chunk: 1_000_000 },
    ])('uploads $media.name to the pre-allocated URL in chunks of $chunk bytes', async ({ media, chunk }) => {
      const { asset, location } = await t.api.createAsset(t.project.id, media.bytes.length);
      expect(await tuspyUpload(media, location, chunk)).toEqual({ start: 0, end: media.bytes.length });
      await expectReadyAsset(t, asset.id, media);
    });

    it('resumes an interrupted upload from the offset HEAD reports', async () => {
      const { asset, location } = await t.api.createAsset(t.project.id, wav.bytes.length);
      expect(await tuspyUpload(wav, location, 10_000, 30_000)).toEqual({ start: 0, end: 30_000 });
      expect(await tuspyUpload(wav, location, 10_000)).toEqual({ start: 30_000, end: wav.bytes.length });
      await expectReadyAsset(t, asset.id, wav);
    });
  });
});
