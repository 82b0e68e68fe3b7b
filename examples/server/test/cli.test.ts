// `npm start` runs `node examples/server/dist/main.js`: boot it as a process, use it, stop it with SIGTERM.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { wavFile } from '@tuskit/core/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { expectReadyAsset } from './support/assertions.js';
import { fixtureCases } from './support/media.js';
import { LineLog } from './support/lines.js';
import { ApiClient, FRAMEWORK_NAMES, storedBytes } from './support/server.js';

const MAIN = fileURLToPath(new URL('../dist/main.js', import.meta.url));

/** Starts a PATCH that sends `sent` bytes of `total` and then waits, never ending its body. */
function stalledPatch(url: string, apiKey: string, bytes: Buffer, sent: number): Promise<{ status: number; offset: string | undefined }> {
  return new Promise((resolve, reject) => {
    const req = request(url, {
      method: 'PATCH',
      headers: {
        authorization: `Bearer ${apiKey}`,
        'tus-resumable': '1.0.0',
        'upload-offset': '0',
        'content-type': 'application/offset+octet-stream',
        'content-length': String(bytes.length),
      },
    });
    req.on('response', (res) => {
      res.resume();
      resolve({ status: res.statusCode ?? 0, offset: res.headers['upload-offset'] as string | undefined });
    });
    req.on('error', reject);
    req.write(bytes.subarray(0, sent));
  });
}

describe.each(FRAMEWORK_NAMES)('node dist/main.js with FRAMEWORK=%s', (framework) => {
  let dataDir: string;
  let child: ChildProcess;

  beforeEach(async () => {
    if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: build first (pnpm -r build, or npm test at the root)`);
    dataDir = await mkdtemp(join(tmpdir(), 'tuskit-cli-'));
  });
  afterEach(async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await rm(dataDir, { recursive: true, force: true });
  });

  it('prints its URL and generated key as JSON lines, serves uploads, and on SIGTERM lets an in-flight PATCH persist, then exits 0', async () => {
    const env = { ...process.env, PORT: '0', DATA_DIR: dataDir, FRAMEWORK: framework, API_KEY: '', STORE: '', WORKERS: '1' };
    child = spawn(process.execPath, [MAIN], { env, stdio: ['ignore', 'pipe', 'inherit'] });
    const exited = once(child, 'exit');
    const lines = new LineLog();
    createInterface({ input: child.stdout! }).on('line', (line) => lines.push(line));
    child.once('exit', () => lines.end());
    const ready = new RegExp(`ready at (http://127\\.0\\.0\\.1:\\d+) \\(framework ${framework}, store fs, 1 process\\); API key: (\\S+) \\(generated`);
    const [, url = '', apiKey = ''] = await lines.waitFor(ready);
    const api = new ApiClient(url, apiKey);

    const media = fixtureCases()[4]!; // video.mp4
    const project = await api.createProject();
    const { asset, location } = await api.createAsset(project.id, media.bytes.length);
    await api.upload(location, media.bytes, 10_000);
    const drain = async () => void (await lines.waitFor(new RegExp(`asset ${asset.id} ready`)));
    await expectReadyAsset({ api, server: { url, drain } }, asset.id, media);

    const wav = wavFile(1024 * 1024);
    const inFlight = await api.createAsset(project.id, wav.length);
    const patch = stalledPatch(inFlight.location, apiKey, wav, 256 * 1024);
    await storedBytes(dataDir, inFlight.asset.id, 256 * 1024);
    child.kill('SIGTERM');

    expect(await patch).toEqual({ status: 204, offset: String(256 * 1024) });
    expect(await exited).toEqual([0, null]);
    await lines.waitFor(/"msg":"stopped"/);
    // Every line is a pino JSON line; each request has its own at info.
    const logged = lines.lines.map((line) => JSON.parse(line) as { level: number; method?: string; path?: string; status?: number });
    expect(logged).toContainEqual(expect.objectContaining({ level: 30, method: 'PATCH', path: `/v1/uploads/${inFlight.asset.id}`, status: 204 }));
    expect((await stat(join(dataDir, 'uploads', inFlight.asset.id))).size).toBe(256 * 1024);
  });

  it.each([
    [{ FRAMEWORK: 'hapi' }, 'FRAMEWORK must be express or koa, not "hapi".'],
    [{ STORE: 's3', S3_BUCKET: '' }, 'S3_BUCKET must be set with STORE=s3.'],
  ])('exits 1 with a clear message for a bad variable: %j', async (variables, message) => {
    child = spawn(process.execPath, [MAIN], {
      env: { ...process.env, PORT: '0', DATA_DIR: dataDir, FRAMEWORK: framework, ...variables },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const stderr: Buffer[] = [];
    child.stderr!.on('data', (chunk: Buffer) => stderr.push(chunk));
    expect(await once(child, 'exit')).toEqual([1, null]);
    expect(Buffer.concat(stderr).toString()).toContain(`configuration error: ${message}`);
  });
});
