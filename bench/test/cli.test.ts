import { describe, expect, it } from 'vitest';
import { parseOptions } from '../src/cli.js';

describe('parseOptions', () => {
  it('runs everything, 3 rounds after a warm-up, by default', () => {
    expect(parseOptions([], {})).toMatchObject({
      smoke: false,
      backends: ['fs', 's3', 'gcs', 'azure'],
      scenarios: undefined,
      targets: undefined,
      reps: 3,
      warmup: true,
      profile: [],
      hostHeapMiB: 0,
      nodeFlags: [],
    });
  });

  it('takes filters as comma lists', () => {
    const options = parseOptions(['--only', 'fs, s3', '--scenarios', '1m,par8', '--targets', 'raw,tuskit-node', '--profile', 'tuskit-node'], {});
    expect(options).toMatchObject({ backends: ['fs', 's3'], scenarios: ['1m', 'par8'], targets: ['raw', 'tuskit-node'], profile: ['tuskit-node'] });
  });

  it('turns on the smoke mode from the flag or BENCH_SMOKE=1: one round, no warm-up', () => {
    expect(parseOptions(['--smoke'], {})).toMatchObject({ smoke: true, reps: 1, warmup: false });
    expect(parseOptions([], { BENCH_SMOKE: '1' })).toMatchObject({ smoke: true, reps: 1, warmup: false });
  });

  it('takes a host heap in MiB for every Node server', () => {
    expect(parseOptions(['--host-heap', '32'], {}).hostHeapMiB).toBe(32);
    expect(() => parseOptions(['--host-heap', 'lots'], {})).toThrow(/--host-heap takes MiB/);
  });

  it('takes Node flags for every Node server child', () => {
    expect(parseOptions(['--node-flags=--max-semi-space-size=2  --no-opt'], {}).nodeFlags).toEqual(['--max-semi-space-size=2', '--no-opt']);
    expect(() => parseOptions(['--node-flags', 'max-semi-space-size=2'], {})).toThrow(/--node-flags takes Node flags/);
  });

  it('refuses unknown backends, bad repetition counts and unknown options', () => {
    expect(() => parseOptions(['--only', 'ftp'], {})).toThrow(/--only takes fs, s3, gcs, azure; got ftp/);
    expect(() => parseOptions(['--reps', '0'], {})).toThrow(/--reps must be a positive integer/);
    expect(() => parseOptions(['--fast'], {})).toThrow();
  });
});
