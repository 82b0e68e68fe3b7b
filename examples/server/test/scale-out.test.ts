// Reference-server processes on one S3 bucket and one Redis: two on one SQLite catalog (any instance serves any
// upload), three on PostgreSQL (background work runs once across them, and survives the death of an instance).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { wavFile } from '@tuskit/core/testing';
import { MIN_PART_SIZE } from '@tuskit/store-s3';
import {
  describeWithDocker,
  describeWithPostgres,
  describeWithRedis,
  dockerAvailability,
  postgresAvailability,
  redisAvailability,
  startMinio,
  startPostgres,
  startRedis,
  type RunningPostgres,
  type RunningRedis,
  type S3Target,
} from '@tuskit/testkit';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, optionsFromEnv, resolveOptions } from '../src/index.js';
import { sha256 } from './support/assertions.js';
import { createDatabase } from './support/databases.js';
import { on, startInstance, type Instance } from './support/instances.js';
import { LineLog } from './support/lines.js';
import { expectReadyUpload } from './support/outcomes.js';
import { download, type ApiClient } from './support/server.js';
import { mixedSizes, sized } from './support/sizes.js';
import { streamingPatch, type PatchAnswer, type StreamingPatch } from './support/streaming-patch.js';

const docker = await dockerAvailability();
const KiB = 1024;
const MiB = 1024 * KiB;
const API_KEY = 'scale-out-key';
const LOCK_PREFIX = 'scale-out:lock:';
const LOCK_TTL_S = 3;
/** Per test: the large sizes take minutes. */
const TIMEOUT = { timeout: sized(60_000, 900_000) };

describe('the scale-out variables', () => {
  it('reads REDIS_URL, REDIS_LOCK_PREFIX, REDIS_LOCK_TTL_SECONDS and PATCH_IDLE_TIMEOUT_SECONDS', () => {
    const env = { REDIS_URL: 'redis://:secret@cache:6379/2', REDIS_LOCK_PREFIX: 'api:', REDIS_LOCK_TTL_SECONDS: '4', PATCH_IDLE_TIMEOUT_SECONDS: '30' };
    expect(resolveOptions(optionsFromEnv(env))).toMatchObject({
      redisUrl: 'redis://:secret@cache:6379/2',
      redisLockPrefix: 'api:',
      redisLockTtlSeconds: 4,
      patchIdleTimeoutSeconds: 30,
    });
    const defaults = resolveOptions(optionsFromEnv({}));
    expect(defaults).toMatchObject({ redisLockTtlSeconds: 10, patchIdleTimeoutSeconds: 60 });
    expect(defaults.redisUrl).toBeUndefined();
  });

  it.each([
    [{ REDIS_URL: 'http://:secret@cache:6379' }, 'REDIS_URL must be a redis:// or rediss:// URL.'],
    [{ REDIS_URL: 'cache:6379' }, 'REDIS_URL must be a redis:// or rediss:// URL.'],
    [{ REDIS_LOCK_TTL_SECONDS: '0' }, 'REDIS_LOCK_TTL_SECONDS must be an integer from 1'],
    [{ PATCH_IDLE_TIMEOUT_SECONDS: '1.5' }, 'PATCH_IDLE_TIMEOUT_SECONDS must be a non-negative integer, not "1.5".'],
  ])('refuses %j', (env, message) => {
    const resolve = () => resolveOptions(optionsFromEnv(env));
    expect(resolve).toThrow(ConfigError);
    expect(resolve).toThrow(message);
    expect(resolve).not.toThrow(/secret/); // a REDIS_URL may carry a password: never echoed
  });
});

describeWithDocker(docker, 'two instances sharing one S3 bucket, one SQLite catalog and one Redis', () => {
  describeWithRedis(redisAvailability(), 'with REDIS_URL', () => {
    let s3: S3Target;
    let redis: RunningRedis;
    let locks: Redis;
    let dataDir: string;
    let env: Record<string, string>;
    const log = new LineLog();
    const instances: Instance[] = [];
    const instance = (index: number) => instances[index] as Instance;

    beforeAll(async () => {
      [s3, redis, dataDir] = await Promise.all([
        startMinio({ bucket: 'scale-out', ignoreExternal: true }),
        startRedis(),
        mkdtemp(join(tmpdir(), 'tuskit-scale-out-')),
      ]);
      locks = new Redis(redis.url);
      env = {
        API_KEY,
        DATA_DIR: dataDir,
        STORE: 's3',
        S3_BUCKET: s3.bucket as string,
        S3_ENDPOINT: s3.endpoint,
        S3_ACCESS_KEY_ID: s3.accessKeyId,
        S3_SECRET_ACCESS_KEY: s3.secretAccessKey,
        // The smallest part S3 allows, so that uploads of a few MiB span parts written by both instances.
        S3_PART_SIZE: String(MIN_PART_SIZE),
        REDIS_URL: redis.url,
        REDIS_LOCK_PREFIX: LOCK_PREFIX,
        REDIS_LOCK_TTL_SECONDS: String(LOCK_TTL_S),
      };
      // Started together on a fresh DATA_DIR: both create the catalog and the download secret at once.
      instances.push(
        ...(await Promise.all([
          startInstance('A', { ...env, FRAMEWORK: 'express' }, log),
          startInstance('B', { ...env, FRAMEWORK: 'koa' }, log),
        ])),
      );
    });
    afterAll(async () => {
      await Promise.all(instances.map((started) => started.stop()));
      locks?.disconnect();
      await Promise.all([redis?.stop(), s3?.stop()]);
      if (dataDir) await rm(dataDir, { recursive: true, force: true });
    });

    /** Waits until the instance that received the last byte has measured the asset, then asks every instance. */
    const expectReady = async (id: string, data: Uint8Array) => {
      const drain = async () => void (await log.waitFor(new RegExp(`asset ${id} ready`)));
      await expectReadyUpload({ api: instance(0).api, server: { url: instance(0).url, drain } }, id, data);
      // One catalog: every instance answers the same.
      for (const other of instances.slice(1)) expect((await other.api.asset(id)).body).toMatchObject({ state: 'ready', size_bytes: data.length });
    };

    it('a client alternating instances on every PATCH completes byte-exact, each instance seeing the current offset', TIMEOUT, async () => {
      const data = wavFile(sized(MIN_PART_SIZE + 1 * MiB, 64 * MiB));
      const project = await instance(0).api.createProject();
      const { asset, location } = await instance(0).api.createAsset(project.id, data.length);
      const chunk = sized(512 * KiB, 4 * MiB);
      for (let offset = 0, turn = 0; offset < data.length; turn++) {
        const target = instance(turn % 2);
        expect(await target.api.offset(on(target, location))).toBe(offset);
        offset = await sendChunk(target, location, data, offset, chunk);
      }
      await expectReady(asset.id, data);
      expect(await locks.keys(`${LOCK_PREFIX}*`)).toEqual([]);
    });

    it('two PATCHes racing on the two instances never interleave: the bytes are one body, the other PATCH wrote nothing', TIMEOUT, async () => {
      const first = wavFile(sized(2 * MiB, 32 * MiB));
      // The same header, every other byte different: any interleaving changes the sha256 of the result.
      const second = Buffer.from(first.map((byte, at) => (at < 44 ? byte : byte ^ 0xff)));
      const project = await instance(0).api.createProject();
      const { asset, location } = await instance(0).api.createAsset(project.id, first.length);
      const [onA, onB] = [0, 1].map((index) => on(instance(index), location)) as [string, string];

      const patchA = streamingPatch(onA, API_KEY, 0, first.length);
      await patchA.write(first.subarray(0, 256 * KiB));
      await lockHeld(locks, asset.id);
      const patchB = streamingPatch(onB, API_KEY, 0, second.length);
      expect(patchA.answered).toBe(false);
      const [answerA, answerB] = await Promise.all([
        keepSending(patchA, first, 256 * KiB),
        keepSending(patchB, second, 0),
      ]);

      const offset = await instance(1).api.offset(onB);
      expect(offset).toBeGreaterThan(0);
      // One PATCH wrote, and acknowledged what HEAD reports. The other wrote nothing: it came second (409), or
      // was taken over before a byte of its body was read, and then answers what it stored: offset 0.
      const winner = [answerA, answerB].findIndex((answer) => answer.status === 204 && answer.offset === offset);
      const [winnerBody, loser] = winner === 0 ? [first, answerB] : [second, answerA];
      expect(winner).toBeGreaterThanOrEqual(0);
      const wroteNothing = loser.code === 'offset_mismatch' || (loser.status === 204 && loser.offset === 0);
      expect(wroteNothing, JSON.stringify(loser)).toBe(true);
      await instance(1).api.upload(onB, winnerBody, winnerBody.length, offset);
      await expectReady(asset.id, winnerBody);
      expect(sha256(second)).not.toBe(sha256(first));
    });

    it('concurrent uploads of mixed sizes, each alternating instances, all complete byte-exact', TIMEOUT, async () => {
      const plan = mixedSizes(sized(40, 200), sized(4 * MiB, 64 * MiB));
      const chunk = sized(1 * MiB, 8 * MiB);
      // All bytes first: generating them between requests would block the event loop while responses and
      // socket closes wait, and the client would then send requests on kept-alive sockets the servers have closed.
      const bodies = plan.map((size) => wavFile(size));
      const project = await instance(0).api.createProject();
      const uploads = await Promise.all(
        bodies.map(async (data, index) => {
          const size = data.length;
          const { asset, location } = await instance(index % 2).api.createAsset(project.id, size);
          for (let offset = 0, turn = index + 1; offset < size; turn++) {
            offset = await sendChunk(instance(turn % 2), location, data, offset, chunk);
          }
          return { id: asset.id, data };
        }),
      );
      for (const { id, data } of uploads) await expectReady(id, data);
      expect(await locks.keys(`${LOCK_PREFIX}*`)).toEqual([]);
    });

    it('SIGKILL of the lock holder mid-PATCH: the other instance takes over within the lock TTL, nothing acknowledged is lost', TIMEOUT, async () => {
      const data = wavFile(sized(MIN_PART_SIZE + 1 * MiB, 64 * MiB));
      // Large: enough for the doomed PATCH to store whole parts before it dies.
      const sentBeforeKill = sized(2 * MiB, 24 * MiB);
      const project = await instance(0).api.createProject();
      const { asset, location } = await instance(0).api.createAsset(project.id, data.length);
      const [onA, onB] = [0, 1].map((index) => on(instance(index), location)) as [string, string];
      const acknowledged = 1 * MiB;
      expect((await instance(0).api.patch(onA, 0, data.subarray(0, acknowledged))).status).toBe(204);

      const doomed = streamingPatch(onA, API_KEY, acknowledged, data.length - acknowledged);
      await doomed.write(data.subarray(acknowledged, acknowledged + sentBeforeKill));
      await lockHeld(locks, asset.id);
      await instance(0).stop('SIGKILL');
      const killed = performance.now();

      const offset = await instance(1).api.offset(onB);
      const waited = performance.now() - killed;
      // The dead holder's lock was renewed at most TTL/3 ago: the HEAD waited for it to expire, no longer.
      expect(waited).toBeGreaterThan((LOCK_TTL_S * 1000) / 2);
      expect(waited).toBeLessThan(LOCK_TTL_S * 1000 + 2000); // the TTL, and the HEAD's own store requests
      expect(offset).toBeGreaterThanOrEqual(acknowledged);
      expect(offset).toBeLessThanOrEqual(acknowledged + sentBeforeKill);

      await instance(1).api.upload(onB, data, data.length, offset);
      // A restarted instance on the same DATA_DIR is a full member again.
      instances[0] = await startInstance('A (restarted)', { ...env, FRAMEWORK: 'express' }, log);
      await expectReady(asset.id, data);
      expect(await locks.keys(`${LOCK_PREFIX}*`)).toEqual([]);
    });
  });
});

/**
 * PATCHes the next chunk through `target` and returns the offset it
 * acknowledged, which a TUS client resumes from: all of the chunk, or less
 * when the PATCH was cut short (on a loaded machine, a lock renewal late
 * past the TTL makes the holder stop and store what it has, as it must).
 */
async function sendChunk(target: Instance, location: string, data: Uint8Array, offset: number, chunk: number): Promise<number> {
  const response = await target.api.patch(on(target, location), offset, data.subarray(offset, offset + chunk));
  expect(response.status).toBe(204);
  const acknowledged = Number(response.headers.get('upload-offset'));
  expect(acknowledged).toBeGreaterThan(offset);
  expect(acknowledged).toBeLessThanOrEqual(Math.min(offset + chunk, data.length));
  return acknowledged;
}

/** Resolves once some instance holds the lock of upload `id` (polled, with a bound). */
async function lockHeld(redis: Redis, id: string): Promise<void> {
  for (const deadline = Date.now() + 5000; Date.now() < deadline; await delay(10)) {
    if ((await redis.exists(`${LOCK_PREFIX}${id}`)) === 1) return;
  }
  throw new Error(`no instance took the lock of ${id} within 5 s`);
}

/** Sends the rest of `body` from `from` in 64 KiB pieces until it is all sent or the PATCH is answered. */
async function keepSending(patch: StreamingPatch, body: Uint8Array, from: number): Promise<PatchAnswer> {
  for (let at = from; at < body.length; at += 64 * KiB) {
    if (!(await patch.write(body.subarray(at, at + 64 * KiB)))) break;
  }
  patch.end();
  return patch.answer;
}

describeWithDocker(docker, 'three instances on PostgreSQL, one S3 bucket and one Redis', () => {
  describeWithRedis(redisAvailability(), 'with REDIS_URL', () => {
    describeWithPostgres(postgresAvailability(), 'with DATABASE_URL', () => {
      const LEASE_S = 2;
      let s3: S3Target;
      let redis: RunningRedis;
      let postgres: RunningPostgres;
      let locks: Redis;
      let dataDir: string;
      const log = new LineLog();
      const instances: Instance[] = [];
      const named = (name: string) => instances.find((started) => started.name === name) as Instance;

      beforeAll(async () => {
        [s3, redis, postgres, dataDir] = await Promise.all([
          startMinio({ bucket: 'scale-out-3', ignoreExternal: true }),
          startRedis(),
          startPostgres(),
          mkdtemp(join(tmpdir(), 'tuskit-scale-out-')),
        ]);
        locks = new Redis(redis.url);
        const env = {
          API_KEY,
          // Each instance its own DATA_DIR: they share nothing but the database, the bucket and Redis.
          STORE: 's3',
          S3_BUCKET: s3.bucket as string,
          S3_ENDPOINT: s3.endpoint,
          S3_ACCESS_KEY_ID: s3.accessKeyId,
          S3_SECRET_ACCESS_KEY: s3.secretAccessKey,
          REDIS_URL: redis.url,
          REDIS_LOCK_PREFIX: LOCK_PREFIX,
          REDIS_LOCK_TTL_SECONDS: String(LOCK_TTL_S),
          DATABASE_URL: await createDatabase(postgres.url),
          PROCESSING_LEASE_SECONDS: String(LEASE_S),
          UPLOAD_TTL_SECONDS: '2',
          REAP_INTERVAL_SECONDS: '1',
        };
        // Started together on a new database: all three migrate it at once.
        instances.push(
          ...(await Promise.all([
            startInstance('A', { ...env, DATA_DIR: join(dataDir, 'A'), FRAMEWORK: 'express' }, log),
            startInstance('B', { ...env, DATA_DIR: join(dataDir, 'B'), FRAMEWORK: 'koa' }, log),
            // The fault-injection point: C claims assets to measure and never measures them.
            startInstance('C', { ...env, DATA_DIR: join(dataDir, 'C'), FRAMEWORK: 'express', TUSKIT_TEST_FAULT: 'hang-after-claim' }, log),
          ])),
        );
      });
      afterAll(async () => {
        await Promise.all(instances.map((started) => started.stop()));
        locks?.disconnect();
        await Promise.all([redis?.stop(), s3?.stop(), postgres?.stop()]);
        if (dataDir) await rm(dataDir, { recursive: true, force: true });
      });

      /** The lines of every instance matching `pattern`. */
      const linesMatching = (pattern: RegExp) => log.lines.filter((line) => pattern.test(line));

      it('SIGKILL of the instance measuring two assets: the others measure them after its lease, every asset ends ready exactly once', TIMEOUT, async () => {
        const [a, b, c] = ['A', 'B', 'C'].map(named) as [Instance, Instance, Instance];
        const project = await a.api.createProject();
        const bodies = Array.from({ length: 6 }, (_, n) => wavFile(128 * KiB + n * 1000));
        const assets: string[] = [];
        for (const [n, data] of bodies.entries()) {
          const { asset, location } = await (n % 2 ? a : b).api.createAsset(project.id, data.length);
          const half = Math.floor(data.length / 2);
          expect((await (n % 2 ? b : a).api.patch(on(n % 2 ? b : a, location), 0, data.subarray(0, half))).status).toBe(204);
          // The last byte reaches C, which claims the asset to measure it (while it has room for two).
          expect((await c.api.patch(on(c, location), half, data.subarray(half))).status).toBe(204);
          assets.push(asset.id);
        }
        // C has room for two assets: it holds the first two it claimed, and never measures them.
        const held = /^C: .*asset ([\w-]+): held by the hang-after-claim fault/;
        const heldIds = (await log.waitForCount(held, 2)).map((line) => held.exec(line)?.[1] as string);
        expect(heldIds).toHaveLength(2);
        for (const id of heldIds) expect((await a.api.asset(id)).body.state).toBe('processing');
        await c.stop('SIGKILL');

        for (const [n, id] of assets.entries()) {
          await log.waitFor(new RegExp(`^[AB]: .*asset ${id} ready`));
          const { body } = await b.api.asset(id);
          expect(body).toMatchObject({ state: 'ready', size_bytes: bodies[n]!.length });
          expect(sha256((await download(body.download_url as string)).bytes)).toBe(sha256(bodies[n]!));
        }
        for (const id of assets) expect(linesMatching(new RegExp(`asset ${id} (ready|failed)`))).toHaveLength(1);
        // The assets C held were measured by A or B once its lease ran out.
        for (const id of heldIds) {
          expect(linesMatching(new RegExp(`asset ${id} processing on`)).map((line) => line[0])).toEqual(['C', expect.stringMatching(/^[AB]$/)]);
        }
      });

      it('every reaper runs, none removes an upload twice, and none touches an expired upload whose PATCH is live', TIMEOUT, async () => {
        const [a, b] = ['A', 'B'].map(named) as [Instance, Instance];
        const project = await a.api.createProject();
        const live = wavFile(256 * KiB);
        const liveAsset = await a.api.createAsset(project.id, live.length);
        const patch = streamingPatch(on(a, liveAsset.location), API_KEY, 0, live.length);
        await patch.write(live.subarray(0, 64 * KiB));
        await lockHeld(locks, liveAsset.asset.id);
        // Created after the live one: once they expire (UPLOAD_TTL_SECONDS=2), so has the live one.
        const idle = await Promise.all([0, 1, 2, 3].map(async () => (await b.api.createAsset(project.id, 1000)).asset.id));
        for (const id of idle) await log.waitFor(new RegExp(`asset ${id} deleted: upload expired`));
        expect(patch.answered).toBe(false);
        await patch.write(live.subarray(64 * KiB));
        patch.end();
        expect(await patch.answer).toMatchObject({ status: 204, offset: live.length });
        for (const id of idle) {
          expect(linesMatching(new RegExp(`asset ${id} deleted`))).toHaveLength(1);
          expect((await a.api.asset(id)).status).toBe(404);
        }
        expect(linesMatching(new RegExp(`asset ${liveAsset.asset.id} deleted`))).toEqual([]);
        await log.waitFor(new RegExp(`^[AB]: .*asset ${liveAsset.asset.id} ready`));
      });

    });
  });
});
