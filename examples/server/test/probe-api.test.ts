// What the probe adds to the API: the MOV and 3GP measured, the stream fields of a ready asset, and a
// probe over its time limit failing its asset (PROBE_TIME_LIMIT_MS), with the server serving on.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, optionsFromEnv, resolveOptions } from '../src/index.js';
import { expectCloseDuration, probeFixtureBytes, probeFixtures } from './support/probe-fixtures.js';
import { startTestServer, type ProjectJson, type TestServer } from './support/server.js';

/** Uploads a fixture as a new asset and returns the asset once processed. */
async function uploaded(t: TestServer, project: ProjectJson, file: string): Promise<Record<string, unknown>> {
  const bytes = probeFixtureBytes(file);
  const { asset, location } = await t.api.createAsset(project.id, bytes.length);
  await t.api.upload(location, bytes, 16 * 1024);
  await t.server.drain();
  const answer = await t.api.asset(asset.id);
  expect(answer.status).toBe(200);
  return answer.body as unknown as Record<string, unknown>;
}

describe('probed assets', () => {
  let t: TestServer;
  let project: ProjectJson;
  beforeAll(async () => {
    t = await startTestServer('express');
    project = await t.api.createProject();
  });
  afterAll(() => t.dispose());

  it.each(['av-moov-last.mov', 'video-only-moov-last.3gp', 'av-moov-first.3gp'])(
    '%s (the issue\'s failures): ready with its duration and the streams of the manifest',
    async (file) => {
      const fixture = probeFixtures().find((f) => f.file === file)!;
      const asset = await uploaded(t, project, file);
      expect(asset).toMatchObject({ state: 'ready', type: 'video', content_type: fixture.content_type, error_code: null });
      expectCloseDuration(asset.duration_seconds as string, fixture.duration);
      expect(asset).toMatchObject({
        video_codec: fixture.video?.codec,
        width: fixture.video?.width,
        height: fixture.video?.height,
        frame_rate: fixture.video?.frame_rate,
        bitrate: expect.any(Number),
      });
      if (fixture.audio) {
        expect(asset).toMatchObject({ audio_codec: 'aac', sample_rate: fixture.audio.sample_rate, channels: fixture.audio.channels });
      } else {
        expect(Object.keys(asset)).not.toContain('audio_codec');
      }
      expect(t.errors).toEqual([]);
    },
  );

  it('gives an audio asset its audio fields and no video ones', async () => {
    const asset = await uploaded(t, project, 'audio.flac');
    expect(asset).toMatchObject({ state: 'ready', type: 'audio', duration_seconds: '2.300', audio_codec: 'flac', sample_rate: 8000, channels: 1 });
    expect(Object.keys(asset).filter((key) => ['video_codec', 'width', 'height', 'frame_rate'].includes(key))).toEqual([]);
  });
});

describe('a probe over PROBE_TIME_LIMIT_MS', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer('koa', { probeTimeLimitMs: 1 });
  });
  afterAll(() => t.dispose());

  it('fails its asset with probe_timeout, and the server answers on', async () => {
    const project = await t.api.createProject();
    const asset = await uploaded(t, project, 'av.mkv');
    expect(asset).toMatchObject({
      state: 'failed',
      duration_seconds: null,
      error_code: 'probe_timeout',
      error_message: 'The probe took longer than 1 ms.',
    });
    expect(Object.keys(asset)).not.toContain('video_codec');
    expect(t.log.lines).toContain(`asset ${asset.id as string} failed: probe_timeout`);
    expect((await t.api.asset(asset.id as string)).status).toBe(200);
    expect(t.errors).toEqual([]);
  });
});

describe('PROBE_TIME_LIMIT_MS and PROBE_MEMORY_LIMIT_MB', () => {
  it('are read from the environment, with defaults of 30 s and 64 MiB', () => {
    expect(optionsFromEnv({ PROBE_TIME_LIMIT_MS: '250', PROBE_MEMORY_LIMIT_MB: '32' })).toMatchObject({
      probeTimeLimitMs: 250,
      probeMemoryLimitMb: 32,
    });
    expect(resolveOptions({})).toMatchObject({ probeTimeLimitMs: 30_000, probeMemoryLimitMb: 64 });
  });

  it.each([
    [{ PROBE_TIME_LIMIT_MS: '0' }, 'PROBE_TIME_LIMIT_MS must be an integer from 1'],
    [{ PROBE_MEMORY_LIMIT_MB: '8' }, 'PROBE_MEMORY_LIMIT_MB must be an integer from 16'],
  ])('refuses %o', (env, message) => {
    expect(() => resolveOptions(optionsFromEnv(env))).toThrow(ConfigError);
    expect(() => resolveOptions(optionsFromEnv(env))).toThrow(message);
  });
});
