// Completion is at-least-once across crashes: a server SIGKILLed by a fault point (TUSKIT_TEST_FAULT, no
// timing) at each step between the last byte and `ready` leaves an asset that a restart alone, without any
// client, brings to `ready` with the stored object byte-exact; on every store, with SQLite (and on fs with
// PostgreSQL in the PostgreSQL run).
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { wavFile } from '@tuskit/core/testing';
import { describeWithDocker } from '@tuskit/testkit';
import { afterAll, describe, expect, it } from 'vitest';
import { KILL_POINTS, type KillPoint, type StoreKind } from '../src/index.js';
import { sha256 } from './support/assertions.js';
import { databaseUrlForTest, TEST_DATABASE } from './support/databases.js';
import { startInstance, type Instance } from './support/instances.js';
import { LineLog } from './support/lines.js';
import { download } from './support/server.js';
import { docker, stopBackends, storeUnderTest } from './support/stores.js';

const API_KEY = 'crash-key';
const KiB = 1024;

/** Sends `data` in two PATCHes; the fault point kills the server during the second or just after it. */
async function uploadUntilKilled(instance: Instance, location: string, data: Uint8Array): Promise<void> {
  const half = 64 * KiB;
  expect((await instance.api.patch(location, 0, data.subarray(0, half))).status).toBe(204);
  // Whether the last PATCH is answered depends on the fault point; the outcome is checked after the restart.
  await instance.api.patch(location, half, data.subarray(half)).then((answer) => answer.arrayBuffer(), () => undefined);
}

/** The signal that ended the instance, once it has. */
async function endOf({ child }: Instance): Promise<NodeJS.Signals | null> {
  if (child.exitCode === null && child.signalCode === null) await once(child, 'exit');
  return child.signalCode;
}

/** One crash: an instance armed with `point` is killed by it, and another one started on its data alone finishes. */
async function crashAndRestart(kind: StoreKind, point: KillPoint, log: LineLog): Promise<void> {
  const dataDir = await mkdtemp(join(tmpdir(), 'tuskit-crash-'));
  const { env: storeEnv } = await storeUnderTest(kind, dataDir);
  const databaseUrl = await databaseUrlForTest();
  // A short processing lease: an asset the killed instance was measuring is measured again 1 s later.
  const env = { ...storeEnv, DATA_DIR: dataDir, API_KEY, PROCESSING_LEASE_SECONDS: '1', ...(databaseUrl && { DATABASE_URL: databaseUrl }) };
  const instances: Instance[] = [];
  try {
    const doomed = await startInstance(point, { ...env, TUSKIT_TEST_FAULT: point }, log);
    instances.push(doomed);
    const project = await doomed.api.createProject();
    const data = wavFile(192 * KiB);
    const { asset, location } = await doomed.api.createAsset(project.id, data.length);
    await uploadUntilKilled(doomed, location, data);
    expect({ point, signal: await endOf(doomed) }).toEqual({ point, signal: 'SIGKILL' });

    const restarted = await startInstance(`${point} restarted`, env, log);
    instances.push(restarted);
    await log.waitFor(new RegExp(`^${point} restarted: .*asset ${asset.id} ready`));
    const { body } = await restarted.api.asset(asset.id);
    expect(body).toMatchObject({ id: asset.id, state: 'ready', size_bytes: data.length, error_code: null, upload_url: null });
    const stored = await download(body.download_url as string);
    expect({ point, status: stored.status, sha256: sha256(stored.bytes) }).toEqual({ point, status: 200, sha256: sha256(data) });
    // Killed before the asset left pending_upload: the restart's sweep delivered the completion again.
    const redelivered = log.lines.some((line) => line.startsWith(`${point} restarted: `) && line.includes(`asset ${asset.id}: completion delivered again`));
    expect({ point, redelivered }).toEqual({ point, redelivered: ['kill-before-finalize', 'kill-after-finalize', 'kill-before-processing'].includes(point) });
  } finally {
    for (const instance of instances) await instance.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
}

function crashCases(kind: StoreKind): void {
  afterAll(stopBackends);
  // The five crashes side by side, each on its own data: one process start at a time would take minutes.
  it(`at each of ${KILL_POINTS.join(', ')}: a restart alone brings the asset to ready, byte-exact`, { timeout: 180_000 }, async () => {
    const log = new LineLog();
    await Promise.all(KILL_POINTS.map((point) => crashAndRestart(kind, point, log)));
  });
}

describe('a completion killed at each step, on fs', () => crashCases('fs'));
if (TEST_DATABASE === 'sqlite') {
  describeWithDocker(docker, 'a completion killed at each step, on s3', () => crashCases('s3'));
  describeWithDocker(docker, 'a completion killed at each step, on gcs', () => crashCases('gcs'));
  describe('a completion killed at each step, on azure', () => crashCases('azure'));
}
