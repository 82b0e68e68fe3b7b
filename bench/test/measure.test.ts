import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Bed } from '../src/beds/bed.js';
import { fsBed } from '../src/beds/fs.js';
import { TusClient } from '../src/client.js';
import { measure, uploadId, type Subject } from '../src/measure.js';
import { Payload } from '../src/payload.js';
import { SMOKE_SCENARIOS } from '../src/scenarios.js';
import { startServer } from '../src/server-process.js';
import { SERVER_CONFIG_ENV, type Storage } from '../src/servers/config.js';
import { BASE_PATH } from '../src/targets.js';

const SERVER_ENTRY = new URL('../dist/server.js', import.meta.url).pathname;
const scenario = SMOKE_SCENARIOS.find((s) => s.id === 'par8')!;

describe('measure', () => {
  let root: string;
  let bed: Bed;
  let subject: Subject;
  const payload = Payload.create(scenario.uploadSize);

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'tuskit-bench-'));
    bed = await fsBed(join(root, 'data'));
    const storage: Storage = await bed.prepare('raw');
    const server = await startServer({
      command: process.execPath,
      args: [SERVER_ENTRY],
      env: { [SERVER_CONFIG_ENV]: JSON.stringify({ kind: 'raw', basePath: BASE_PATH, storage }) },
      basePath: BASE_PATH,
      ready: 'announce',
    });
    subject = { server, client: new TusClient(server.endpoint), storage };
  });

  afterAll(async () => {
    subject?.client.close();
    await subject?.server.stop();
    await rm(root, { recursive: true, force: true });
  });

  it('times every upload of a scenario, checks what was stored, then empties the area', async () => {
    const sample = await measure(subject, bed, scenario, payload);
    expect(sample.bytes).toBe(scenario.uploads * scenario.uploadSize);
    expect(sample.patches).toBe(scenario.uploads * (scenario.uploadSize / scenario.patchSize));
    expect(sample.seconds).toBeGreaterThan(0);
    expect(sample.peakRss).toBeGreaterThan(0);
    expect(sample.latencies).toBeUndefined();
    const storage = subject.storage as Extract<Storage, { backend: 'fs' }>;
    expect(await readdir(storage.directory)).toEqual([]);
  });

  it('fails the run when a stored upload differs from what was sent', async () => {
    const lying: Bed = { ...bed, digest: async (storage, key) => ({ ...(await bed.digest(storage, key)), sha256: '0'.repeat(64) }) };
    await expect(measure(subject, lying, scenario, payload)).rejects.toThrow(
      new RegExp(`stored ${scenario.uploadSize} bytes with sha256 0{64}, expected ${scenario.uploadSize} bytes with [0-9a-f]{64}`),
    );
  });

  it('reads the upload id from the URL', () => {
    expect(uploadId('http://127.0.0.1:1/files/abc-1')).toBe('abc-1');
    expect(uploadId('http://127.0.0.1:1/files/abc-1/')).toBe('abc-1');
  });
});
