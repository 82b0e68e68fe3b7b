// The encoder-made fixtures of test/fixtures/probe (see its README) and what their manifest says of each.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';

const DIR = fileURLToPath(new URL('../fixtures/probe/', import.meta.url));

/** One entry of `manifest.json`. */
export interface ProbeFixture {
  file: string;
  /** What `file-type` detects on the first chunk. */
  content_type: string;
  /** Seconds of audio or video the encoder was given. */
  duration: number;
  audio?: { codec: string; sample_rate: number; channels: number };
  video?: { codec: string; width: number; height: number; frame_rate: number };
}

/** Every fixture of the manifest. */
export function probeFixtures(): ProbeFixture[] {
  const manifest = JSON.parse(readFileSync(`${DIR}manifest.json`, 'utf8')) as { fixtures: ProbeFixture[] };
  return manifest.fixtures;
}

/** The bytes of a fixture. */
export function probeFixtureBytes(file: string): Buffer {
  return readFileSync(`${DIR}${file}`);
}

/**
 * The bound on a measured duration: within 1 % of the encoded one,
 * or 50 ms, whichever is wider (short lossy clips carry encoder delay and
 * padding of a few tens of milliseconds).
 */
export function expectCloseDuration(measured: number | string | null | undefined, encoded: number): void {
  expect(measured).not.toBeNull();
  expect(measured).not.toBeUndefined();
  const bound = Math.max(0.01 * encoded, 0.05);
  expect(Math.abs(Number(measured) - encoded), `${measured} s measured, ${encoded} s encoded`).toBeLessThanOrEqual(bound);
}
