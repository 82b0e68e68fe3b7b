// WORKERS=2: the reference server as two processes on one port (node:cluster), on the fs store and SQLite,
// without Redis: the primary holds the upload locks of both workers.
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { promisify } from 'node:util';
import { wavFile } from '@tuskit/core/testing';
import { TOOLS, commandAvailability, describeWithTool } from '@tuskit/testkit';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { sha256 } from './support/assertions.js';
import { startInstance, type Instance } from './support/instances.js';
import { LineLog } from './support/lines.js';
import { expectReadyUpload } from './support/outcomes.js';
import { storedBytes } from './support/server.js';
import { streamingPatch, type PatchAnswer, type StreamingPatch } from './support/streaming-patch.js';

const run = promisify(execFile);
const KiB = 1024;
const MiB = 1024 * KiB;
const API_KEY = 'workers-key';

// Which worker serves a connection is read from the kernel's socket table with `ss`.
describeWithTool(TOOLS.ss, commandAvailability('ss', ['-V']), 'WORKERS=2 on the fs store without Redis', () => {
  let dataDir: string;
  let server: Instance;
  const log = new LineLog();

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'tuskit-workers-'));
    server = await startInstance('primary', { API_KEY, DATA_DIR: dataDir, WORKERS: '2', FRAMEWORK: 'express' }, log);
  });
  afterAll(async () => {
    await server?.stop('SIGKILL');
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  /**
   * The worker process serving the connection of `patch`, from the kernel's socket table (`ss`); polled
   * briefly, as the primary accepts each connection and then hands it to a worker.
   */
  const workerOf = async (patch: StreamingPatch): Promise<number> => {
    const port = new URL(server.url).port;
    const filter = `( sport = :${port} and dport = :${await patch.localPort()} )`;
    for (const deadline = Date.now() + 2000; Date.now() < deadline; await delay(10)) {
      const { stdout } = await run('ss', ['-Htnp', 'state', 'established', filter]);
      const pids = [...stdout.matchAll(/pid=(\d+)/g)].map((match) => Number(match[1])).filter((pid) => pid !== server.child.pid);
      if (pids.length === 1) return pids[0] as number;
    }
    throw new Error(`no worker holds the connection ${filter}`);
  };

  /** PATCHes `bytes` at `offset` on a connection of its own; returns the worker that served it and the answer. */
  const patchOnNextWorker = async (location: string, offset: number, bytes: Uint8Array, id: string) => {
    const patch = streamingPatch(location, API_KEY, offset, bytes.length, { freshConnection: true });
    const half = Math.floor(bytes.length / 2);
    await patch.write(bytes.subarray(0, half));
    await storedBytes(dataDir, id, offset + half);
    const worker = await workerOf(patch);
    await patch.write(bytes.subarray(half));
    patch.end();
    return { worker, answer: await patch.answer };
  };

  it('starts two workers on one port and announces them once', async () => {
    expect(log.lines.filter((line) => line.includes('ready at'))).toEqual([
      expect.stringMatching(/^primary: .*tuskit reference API ready at http:\/\/127\.0\.0\.1:\d+ \(framework express, store fs, 2 worker processes\); API key: from API_KEY/),
    ]);
  });

  it("one upload's PATCHes go to both workers in turn, each seeing the other's bytes; the asset ends ready byte-exact", async () => {
    const data = wavFile(768 * KiB);
    const project = await server.api.createProject();
    const { asset, location } = await server.api.createAsset(project.id, data.length);
    const workers: number[] = [];
    const chunk = 128 * KiB;
    for (let offset = 0; offset < data.length; offset += chunk) {
      const { worker, answer } = await patchOnNextWorker(location, offset, data.subarray(offset, offset + chunk), asset.id);
      expect(answer).toMatchObject({ status: 204, offset: Math.min(offset + chunk, data.length) });
      workers.push(worker);
    }
    expect(new Set(workers).size).toBe(2);
    const drain = async () => void (await log.waitFor(new RegExp(`asset ${asset.id} ready`)));
    await expectReadyUpload({ api: server.api, server: { url: server.url, drain } }, asset.id, data);
  });

  it('a PATCH on one worker is taken over by a PATCH of the same upload on the other: the stored bytes are one body', async () => {
    const first = wavFile(8 * MiB);
    const second = Buffer.from(first.map((byte, at) => (at < 44 ? byte : byte ^ 0xff)));
    const project = await server.api.createProject();
    const { asset, location } = await server.api.createAsset(project.id, first.length);

    // More than the fs store gathers before it writes: A holds the upload's lock and has written. Then it stalls.
    const patchA = streamingPatch(location, API_KEY, 0, first.length, { freshConnection: true });
    await patchA.write(first.subarray(0, 3 * MiB));
    await storedBytes(dataDir, asset.id, 1);
    const workerA = await workerOf(patchA);
    // B's connection goes to the other worker before B sends a byte.
    const patchB = streamingPatch(location, API_KEY, 0, second.length, { freshConnection: true });
    expect(await workerOf(patchB)).not.toBe(workerA);
    await patchB.write(second.subarray(0, 44));
    const answerB = await patchB.answer;
    // Without locks shared by the workers nobody asks A to stop: finish it, so that the checks below say so.
    const answerA = patchA.answered ? await patchA.answer : await keepSending(patchA, first, 3 * MiB);

    // B asked A, on the other worker, to let go: A stopped mid-body, stored what it had and answered; only then did
    // B get the lock, and find the offset moved (B's 409 at offset 0 says so: the two answers travel on separate
    // connections, so the order in which the client reads them is no evidence either way).
    expect(answerA.status).toBe(204);
    expect(answerA.offset).toBeGreaterThan(0);
    expect(answerA.offset).toBeLessThan(first.length);
    expect(answerB).toMatchObject({ status: 409, code: 'offset_mismatch' });
    const offset = await server.api.offset(location);
    expect(offset).toBe(answerA.offset);
    const stored = await readFile(join(dataDir, 'uploads', asset.id));
    expect(sha256(stored)).toBe(sha256(first.subarray(0, offset)));
  });

  it('SIGTERM drains both workers: a PATCH in flight on each persists what it received and answers, then all exit 0', async () => {
    const project = await server.api.createProject();
    const sent = 256 * KiB;
    const inFlight = await Promise.all(
      [0, 1].map(async () => {
        const data = wavFile(1024 * KiB);
        const { asset, location } = await server.api.createAsset(project.id, data.length);
        return { id: asset.id, patch: streamingPatch(location, API_KEY, 0, data.length, { freshConnection: true }), data };
      }),
    );
    for (const { id, patch, data } of inFlight) {
      await patch.write(data.subarray(0, sent));
      await storedBytes(dataDir, id, sent);
    }
    expect(new Set(await Promise.all(inFlight.map(({ patch }) => workerOf(patch)))).size).toBe(2);

    await server.stop('SIGTERM');
    expect([server.child.exitCode, server.child.signalCode]).toEqual([0, null]);
    for (const { id, patch } of inFlight) {
      expect(await patch.answer).toMatchObject({ status: 204, offset: sent });
      expect((await stat(join(dataDir, 'uploads', id))).size).toBe(sent);
    }
    expect(log.lines.filter((line) => line.includes('SIGTERM: draining 2 workers'))).toHaveLength(1);
    expect(log.lines.filter((line) => line.includes('SIGTERM: no new connections'))).toHaveLength(2);
  });
});

/** Sends the rest of `body` from `from` in 64 KiB pieces until it is all sent or the PATCH is answered. */
async function keepSending(patch: StreamingPatch, body: Uint8Array, from: number): Promise<PatchAnswer> {
  for (let at = from; at < body.length; at += 64 * KiB) {
    if (!(await patch.write(body.subarray(at, at + 64 * KiB)))) break;
  }
  patch.end();
  return patch.answer;
}
