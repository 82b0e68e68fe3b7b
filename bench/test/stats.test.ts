import { describe, expect, it } from 'vitest';
import { rotate } from '../src/runner.js';
import { SMOKE_SCENARIOS, WARMUP_BYTES, largestUpload, scenariosFor, warmupOf } from '../src/scenarios.js';
import { percentile, spread } from '../src/stats.js';
import { GiB, KiB, MiB, formatBytes } from '../src/units.js';

describe('spread', () => {
  it('gives the median of an odd and an even number of samples, with the range', () => {
    expect(spread([3, 1, 2])).toEqual({ median: 2, min: 1, max: 3 });
    expect(spread([4, 1, 3, 2])).toEqual({ median: 2.5, min: 1, max: 4 });
  });

  it('refuses no samples', () => {
    expect(() => spread([])).toThrow(/at least one/);
  });
});

describe('percentile', () => {
  it('uses the nearest rank', () => {
    const samples = Array.from({ length: 100 }, (_, i) => 100 - i);
    expect(percentile(samples, 50)).toBe(50);
    expect(percentile(samples, 99)).toBe(99);
    expect(percentile([7], 99)).toBe(7);
  });
});

describe('rotate', () => {
  it('starts each round at the next target', () => {
    expect([0, 1, 2, 3].map((round) => rotate(['a', 'b', 'c'], round).join(''))).toEqual(['abc', 'bca', 'cab', 'abc']);
  });
});

describe('scenarios', () => {
  it('runs every shape on fs and the large-PATCH shapes on S3 and GCS', () => {
    expect(scenariosFor(false, 'fs').map((s) => s.id)).toEqual(['1m', '8m', '64m', 'single', 'par8', 'par64', 'small']);
    expect(scenariosFor(false, 's3').map((s) => s.id)).toEqual(['8m', 'single', 'par8']);
    expect(scenariosFor(false, 'gcs').map((s) => s.id)).toEqual(['64m', 'single', 'par8']);
    expect(scenariosFor(false, 'gcs', ['small', '1m']).map((s) => s.id)).toEqual(['1m', 'small']);
  });

  it('moves 1 GiB per fs scenario, 256 MiB on S3 and GCS, and 2,000 × 64 KiB in the latency one', () => {
    for (const [backend, total] of [['fs', GiB], ['s3', 256 * MiB], ['gcs', 256 * MiB]] as const) {
      for (const s of scenariosFor(false, backend, ['1m', '8m', '64m', 'single', 'par8', 'par64'])) {
        expect(s.uploads * s.uploadSize, `${backend} ${s.id}`).toBe(total);
        expect(s.uploadSize % s.patchSize, `${backend} ${s.id}`).toBe(0);
      }
    }
    const [small] = scenariosFor(false, 'fs', ['small']);
    expect(small!.uploadSize / small!.patchSize).toBe(2000);
    expect(small!.patchSize).toBe(64 * KiB);
    expect(scenariosFor(false, 's3', ['1m'])[0]!.title).toBe('256 MiB in 1 MiB PATCHes');
  });

  it('keeps the smoke run to a few MiB and runs all of it on every backend', () => {
    for (const s of SMOKE_SCENARIOS) expect(s.uploads * s.uploadSize).toBeLessThanOrEqual(2 * MiB);
    expect(scenariosFor(true, 'gcs')).toEqual(SMOKE_SCENARIOS);
  });

  it('warms up with the same shape, capped', () => {
    const [single, par64, small] = scenariosFor(false, 'fs', ['single', 'par64', 'small']);
    expect(warmupOf(single!, 'fs')).toMatchObject({ uploads: 1, uploadSize: WARMUP_BYTES, patchSize: WARMUP_BYTES });
    expect(warmupOf(par64!, 'fs')).toMatchObject({ uploads: 64, uploadSize: WARMUP_BYTES / 64, patchSize: WARMUP_BYTES / 64 });
    expect(warmupOf(small!, 'fs')).toMatchObject({ uploadSize: small!.uploadSize, patchSize: 64 * KiB });
    const [s3Single] = scenariosFor(false, 's3', ['single']);
    expect(warmupOf(s3Single!, 's3')).toMatchObject({ uploadSize: WARMUP_BYTES / 4, patchSize: WARMUP_BYTES / 4 });
  });
});

describe('largestUpload', () => {
  it('counts the priming upload, which can outgrow the uploads of a parallel scenario', () => {
    expect(largestUpload(scenariosFor(false, 'fs', ['par64']), 'fs')).toBe(64 * MiB);
    expect(largestUpload(scenariosFor(false, 'fs', ['par8', 'par64']), 'fs')).toBe(128 * MiB);
    expect(largestUpload(scenariosFor(false, 's3', ['par8']), 's3')).toBe(32 * MiB);
    expect(largestUpload(SMOKE_SCENARIOS, 'fs')).toBe(Math.max(...SMOKE_SCENARIOS.map((s) => s.uploadSize)));
    expect(largestUpload([], 'fs')).toBe(0);
  });
});

describe('formatBytes', () => {
  it('prints binary units', () => {
    expect([64 * KiB, 8 * MiB, GiB, 1.5 * MiB, 100].map(formatBytes)).toEqual(['64 KiB', '8 MiB', '1 GiB', '1.5 MiB', '100 B']);
  });
});
