import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { MemoryStore } from '@tuskit/core';
import { wavFile } from '@tuskit/core/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../src/index.js';
import { jsonLogger } from '../src/logging.js';
import { fixture } from './support/media.js';
import { probeFixtureBytes } from './support/probe-fixtures.js';
import { ApiClient, FRAMEWORK_NAMES, startTestServer, storedBytes, suiteServer, type TestServer } from './support/server.js';
import { streamingPatch } from './support/streaming-patch.js';

/** A WAV header with no format chunk: detected as audio/wav, but no duration can be measured. */
const RIFF_WITHOUT_FORMAT = Buffer.concat([Buffer.from('RIFF\0\0\0\0WAVEjunk'), Buffer.from([200, 0, 0, 0]), Buffer.alloc(200)]);

/** The value of one sample of a Prometheus text exposition, or undefined when absent. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  const wanted = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  for (const line of text.split('\n')) {
    const match = /^([a-z_]+)(?:\{([^}]*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const have = (match[2] ?? '').split(',').filter(Boolean);
    if (wanted.every((label) => have.includes(label))) return Number(match[3]);
  }
  return undefined;
}

/** The sum of every sample of one metric, whatever its labels. */
function total(text: string, name: string): number {
  const values = text.split('\n').map((line) => /^([a-z_]+)(?:\{[^}]*\})? (\S+)$/.exec(line)).filter((match) => match?.[1] === name);
  return values.reduce((sum, match) => sum + Number(match?.[2]), 0);
}

describe.each(FRAMEWORK_NAMES)('GET /metrics on %s', (framework) => {
  const t = suiteServer(framework, { metricsKey: 'scraper-key' });

  const scrape = async (key = t.server.apiKey) => {
    const response = await fetch(new URL('/metrics', t.server.url), { headers: { authorization: `Bearer ${key}` } });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    return response.text();
  };

  it('is refused without a key or with a wrong one, served with the API key or METRICS_KEY', async () => {
    expect((await fetch(new URL('/metrics', t.server.url))).status).toBe(401);
    const wrong = await fetch(new URL('/metrics', t.server.url), { headers: { authorization: 'Bearer nope' } });
    expect(wrong.status).toBe(401);
    expect(sample(await scrape('scraper-key'), 'tuskit_uploads_in_flight')).toBe(0);
    expect(sample(await scrape(), 'tuskit_uploads_in_flight')).toBe(0);
  });

  it('counts an upload while it streams and once it completes', async () => {
    const before = await scrape();
    const count = (text: string, name: string, labels?: Record<string, string>) => sample(text, name, labels) ?? 0;
    const wav = wavFile(200_000);
    const { asset, location } = await t.api.createAsset(t.project.id, wav.length);
    const patch = streamingPatch(location, t.server.apiKey, 0, wav.length);
    await patch.write(wav.subarray(0, 120_000));
    await storedBytes(t.dataDir, asset.id, 120_000);

    const during = await scrape();
    expect(count(during, 'tuskit_uploads_started_total') - count(before, 'tuskit_uploads_started_total')).toBe(1);
    expect(count(during, 'tuskit_uploads_in_flight')).toBe(1);
    const receivedSoFar = count(during, 'tuskit_upload_bytes_received_total') - count(before, 'tuskit_upload_bytes_received_total');
    expect(receivedSoFar).toBeGreaterThanOrEqual(120_000);
    expect(receivedSoFar).toBeLessThan(wav.length);

    await patch.write(wav.subarray(120_000));
    patch.end();
    expect((await patch.answer).status).toBe(204);
    const after = await scrape();
    const delta = (name: string, labels?: Record<string, string>) => count(after, name, labels) - count(before, name, labels);
    expect(delta('tuskit_uploads_completed_total')).toBe(1);
    expect(delta('tuskit_upload_bytes_received_total')).toBe(wav.length);
    expect(count(after, 'tuskit_uploads_in_flight')).toBe(0);
    expect(delta('tuskit_http_request_duration_seconds_count', { method: 'PATCH', status: '204' })).toBe(1);
    expect(delta('tuskit_http_request_duration_seconds_count', { method: 'POST', status: '201' })).toBe(1);
    await t.server.drain();
  });

  it('counts a refused first chunk and a duration that cannot be measured as failed, and a reaped upload as expired', async () => {
    const before = await scrape();
    const pdf = fixture('not-media/document.pdf');
    const rejected = await t.api.createAsset(t.project.id, pdf.length);
    expect((await t.api.patch(rejected.location, 0, pdf)).status).toBe(409);
    const unmeasurable = await t.api.createAsset(t.project.id, RIFF_WITHOUT_FORMAT.length);
    expect((await t.api.patch(unmeasurable.location, 0, RIFF_WITHOUT_FORMAT)).status).toBe(204);
    await t.server.drain();
    expect((await t.api.asset(unmeasurable.asset.id)).body).toMatchObject({ state: 'failed', error_code: 'duration_unavailable' });
    await t.api.createAsset(t.project.id, 1000);
    const reaped = await t.server.reap(new Date(Date.now() + 30 * 24 * 3600 * 1000));
    const after = await scrape();
    const delta = (name: string, labels?: Record<string, string>) => (sample(after, name, labels) ?? 0) - (sample(before, name, labels) ?? 0);
    expect(delta('tuskit_uploads_failed_total', { reason: 'unsupported_media_type' })).toBe(1);
    expect(delta('tuskit_uploads_failed_total', { reason: 'duration_unavailable' })).toBe(1);
    expect(total(after, 'tuskit_uploads_failed_total') - total(before, 'tuskit_uploads_failed_total')).toBe(2);
    expect(delta('tuskit_uploads_expired_total')).toBe(reaped.length);
    expect(reaped.length).toBeGreaterThanOrEqual(1);
  });
});

describe('a probe over its time limit in /metrics', () => {
  let server: TestServer | undefined;
  afterEach(() => server?.dispose());

  it('counts an asset failed with probe_timeout', async () => {
    const code = 'probe_timeout';
    server = await startTestServer('koa', { probeTimeLimitMs: 1 });
    const project = await server.api.createProject();
    const mkv = probeFixtureBytes('av.mkv');
    const { asset, location } = await server.api.createAsset(project.id, mkv.length);
    expect((await server.api.patch(location, 0, mkv)).status).toBe(204);
    await server.server.drain();
    expect((await server.api.asset(asset.id)).body).toMatchObject({ state: 'failed', error_code: code });
    const text = await (await fetch(`${server.server.url}/metrics`, { headers: server.api.auth })).text();
    expect(sample(text, 'tuskit_uploads_failed_total', { reason: code })).toBe(1);
    expect(total(text, 'tuskit_uploads_failed_total')).toBe(1);
  });
});

describe('store errors in /metrics', () => {
  let server: TestServer | undefined;
  afterEach(() => server?.dispose());

  it('counts a store failure', async () => {
    const store = new MemoryStore();
    store.open = async () => {
      throw new Error('backend down');
    };
    server = await startTestServer('express', { store });
    const head = await fetch(`${server.server.url}/v1/uploads/abc`, {
      method: 'HEAD',
      headers: { authorization: `Bearer ${server.server.apiKey}`, 'tus-resumable': '1.0.0' },
    });
    expect(head.status).toBe(500);
    const text = await (await fetch(`${server.server.url}/metrics`, { headers: server.api.auth })).text();
    expect(sample(text, 'tuskit_store_errors_total')).toBe(1);
    expect(server.errors.map((e) => (e as Error).message)).toEqual(['backend down']);
    server.errors.length = 0;
  });
});

describe('JSON request lines', () => {
  let server: RunningServer | undefined;
  let dataDir: string | undefined;
  afterEach(async () => {
    await server?.close();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('logs one pino line per request at info, without the query string', async () => {
    const lines: Array<Record<string, unknown>> = [];
    const destination = new Writable({
      write(chunk: Buffer, _encoding, done) {
        for (const line of chunk.toString('utf8').split('\n').filter(Boolean)) lines.push(JSON.parse(line) as Record<string, unknown>);
        done();
      },
    });
    dataDir = await mkdtemp(join(tmpdir(), 'tuskit-log-'));
    server = await startServer({ port: 0, framework: 'koa', apiKey: 'k', dataDir, logger: jsonLogger({ destination }) });
    const api = new ApiClient(server.url, server.apiKey);
    const project = await api.createProject();
    const { asset, location } = await api.createAsset(project.id, 1000);
    expect((await fetch(`${server.url}/v1/assets?state=pending_upload`, { headers: api.auth })).status).toBe(200);
    expect((await fetch(location, { method: 'DELETE', headers: { ...api.auth, 'tus-resumable': '1.0.0' } })).status).toBe(204);
    const requests = lines.filter((l) => l.method !== undefined && l.component === undefined);
    expect(requests.map((l) => [l.level, l.method, l.path, l.status])).toEqual([
      [30, 'POST', '/v1/projects', 201],
      [30, 'POST', '/v1/assets', 201],
      [30, 'GET', '/v1/assets', 200],
      [30, 'DELETE', `/v1/uploads/${asset.id}`, 204],
    ]);
    for (const line of requests) {
      expect(line.durationMs).toBeGreaterThanOrEqual(0);
      expect(line.completed).toBe(true);
      expect(line.msg).toBe(`${line.method} ${line.path} ${line.status}`);
    }
    // the engine's own events go to the same log, at info
    expect(lines).toContainEqual(expect.objectContaining({ level: 30, component: 'tus', event: 'upload:created', id: asset.id }));
    expect(lines).toContainEqual(expect.objectContaining({ level: 30, component: 'tus', event: 'upload:terminated', id: asset.id }));
  });
});
