// Three reference-server instances as three hosts: each in its own network namespace with its own address on a
// private bridge, sharing nothing but that network, over which they reach PostgreSQL, MinIO and Redis. One host's
// link is cut in the middle of a PATCH: the client resumes on another host byte-exact, and the assets the cut host
// was measuring pass to the others once its lease runs out.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { wavFile } from '@tuskit/core/testing';
import { MIN_PART_SIZE } from '@tuskit/store-s3';
import {
  TOOLS,
  describeWithDocker,
  describeWithPostgres,
  describeWithRedis,
  describeWithTool,
  dockerAvailability,
  netnsAvailability,
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
import { afterAll, beforeAll, expect, it } from 'vitest';
import { sha256 } from './support/assertions.js';
import { createDatabase } from './support/databases.js';
import { HostNetwork, type Host } from './support/hosts.js';
import { on, startInstance, type Instance } from './support/instances.js';
import { LineLog } from './support/lines.js';
import { download } from './support/server.js';
import { sized } from './support/sizes.js';
import { streamingPatch } from './support/streaming-patch.js';

const docker = await dockerAvailability();
const KiB = 1024;
const MiB = 1024 * KiB;
const API_KEY = 'hosts-key';
const LOCK_PREFIX = 'hosts:lock:';
const LOCK_TTL_S = 3;
const LEASE_S = 2;
const TIMEOUT = { timeout: sized(90_000, 900_000) };

/** `url` with its host and port replaced by `hostPort` (a backend as the hosts reach it). */
function through(url: string, hostPort: string): string {
  const moved = new URL(url);
  moved.host = hostPort;
  return moved.href.replace(/\/$/, '');
}

describeWithTool(TOOLS.netns, netnsAvailability(), 'three instances on three hosts (network namespaces)', () => {
  describeWithDocker(docker, 'on PostgreSQL, one S3 bucket and one Redis across the network', () => {
    describeWithRedis(redisAvailability(), 'with REDIS_URL', () => {
      describeWithPostgres(postgresAvailability(), 'with DATABASE_URL', () => {
        let network: HostNetwork | undefined;
        let s3: S3Target | undefined;
        let redis: RunningRedis | undefined;
        let postgres: RunningPostgres | undefined;
        let locks: Redis | undefined;
        let dataDir: string | undefined;
        const log = new LineLog();
        const hosts = new Map<string, Host>();
        const instances = new Map<string, Instance>();
        const named = (name: string) => instances.get(name) as Instance;

        beforeAll(async () => {
          network = await HostNetwork.create();
          [s3, redis, postgres, dataDir] = await Promise.all([
            startMinio({ bucket: 'hosts', ignoreExternal: true }),
            startRedis(),
            startPostgres(),
            mkdtemp(join(tmpdir(), 'tuskit-hosts-')),
          ]);
          locks = new Redis(redis.url);
          const [s3At, redisAt, postgresAt] = await Promise.all([
            network.forward(Number(new URL(s3.endpoint).port)),
            network.forward(redis.port),
            network.forward(postgres.port),
          ]);
          const env = {
            API_KEY,
            STORE: 's3',
            S3_BUCKET: s3.bucket as string,
            S3_ENDPOINT: through(s3.endpoint, s3At),
            S3_ACCESS_KEY_ID: s3.accessKeyId,
            S3_SECRET_ACCESS_KEY: s3.secretAccessKey,
            S3_PART_SIZE: String(MIN_PART_SIZE),
            REDIS_URL: through(redis.url, redisAt),
            REDIS_LOCK_PREFIX: LOCK_PREFIX,
            REDIS_LOCK_TTL_SECONDS: String(LOCK_TTL_S),
            DATABASE_URL: through(await createDatabase(postgres.url), postgresAt),
            PROCESSING_LEASE_SECONDS: String(LEASE_S),
          };
          for (const name of ['A', 'B', 'C']) hosts.set(name, await network.addHost(name));
          const started = await Promise.all(
            ['A', 'B', 'C'].map((name, n) => {
              const host = hosts.get(name) as Host;
              const own = { DATA_DIR: join(dataDir as string, name), HOST: host.address, FRAMEWORK: n % 2 ? 'koa' : 'express' };
              // The fault-injection point: C claims assets to measure and never measures them.
              const fault: Record<string, string> = name === 'C' ? { TUSKIT_TEST_FAULT: 'hang-after-claim' } : {};
              return startInstance(name, { ...env, ...own, ...fault }, log, host.namespace);
            }),
          );
          for (const instance of started) instances.set(instance.name, instance);
        }, 120_000);

        afterAll(async () => {
          // C may be cut off from its backends: a graceful stop would wait on them.
          await Promise.all([...instances.values()].map((instance) => instance.stop(instance.name === 'C' ? 'SIGKILL' : 'SIGTERM')));
          locks?.disconnect();
          await network?.close();
          await Promise.all([redis?.stop(), s3?.stop(), postgres?.stop()]);
          if (dataDir) await rm(dataDir, { recursive: true, force: true });
        });

        const linesMatching = (pattern: RegExp) => log.lines.filter((line) => pattern.test(line));

        it('each instance is reached at its own address, and reaches the backends across the network', async () => {
          for (const [name, instance] of instances) {
            expect(new URL(instance.url).hostname).toBe(hosts.get(name)?.address);
            expect(new URL(instance.url).hostname).toMatch(/^10\.77\.\d+\.\d+$/);
          }
          const project = await named('A').api.createProject();
          const { asset } = await named('B').api.createAsset(project.id, 1000);
          expect((await named('C').api.asset(asset.id)).body).toMatchObject({ id: asset.id, state: 'pending_upload' });
        });

        it('C loses its link mid-PATCH: the client resumes on A byte-exact, and C’s assets are measured by A or B after its lease', TIMEOUT, async () => {
          const [a, b, c] = ['A', 'B', 'C'].map(named) as [Instance, Instance, Instance];
          const project = await a.api.createProject();

          // Background work on C: uploads whose last byte reaches C, which claims them at once (the others only
          // poll) and never measures them; it has room for two.
          const small = [0, 1, 2, 3].map((n) => wavFile(96 * KiB + n * 1000));
          const measured = new Map<string, Uint8Array>();
          for (const data of small) {
            const { asset, location } = await a.api.createAsset(project.id, data.length);
            expect((await c.api.patch(on(c, location), 0, data)).status).toBe(204);
            measured.set(asset.id, data);
          }
          const holding = /^C: .*asset ([\w-]+): held by the hang-after-claim fault/;
          const held = (await log.waitForCount(holding, 2)).map((line) => holding.exec(line)?.[1] as string);
          for (const id of held) expect((await a.api.asset(id)).body.state).toBe('processing');

          // A PATCH streaming into C when its link goes down.
          const data = wavFile(sized(2 * MIN_PART_SIZE + 1 * MiB, 48 * MiB));
          const { asset, location } = await a.api.createAsset(project.id, data.length);
          const acknowledged = 1 * MiB;
          expect((await c.api.patch(on(c, location), 0, data.subarray(0, acknowledged))).status).toBe(204);
          const sentBeforeCut = MIN_PART_SIZE + 1 * MiB;
          const patch = streamingPatch(on(c, location), API_KEY, acknowledged, data.length - acknowledged);
          await patch.write(data.subarray(acknowledged, acknowledged + sentBeforeCut));
          await lockHeld(locks as Redis, asset.id);
          await hosts.get('C')?.setLink(false);
          const cut = performance.now();
          patch.abort();

          // A waits for C's lock to run out (C can no longer renew it), then answers what is durable.
          const offset = await a.api.offset(on(a, location));
          expect(performance.now() - cut).toBeLessThan(LOCK_TTL_S * 1000 + 2000);
          expect(offset).toBeGreaterThanOrEqual(acknowledged);
          expect(offset).toBeLessThanOrEqual(acknowledged + sentBeforeCut);
          await a.api.upload(on(a, location), data, data.length, offset);
          measured.set(asset.id, data);

          for (const [id, bytes] of measured) {
            await log.waitFor(new RegExp(`^[AB]: .*asset ${id} ready`));
            const { body } = await b.api.asset(id);
            expect(body).toMatchObject({ state: 'ready', size_bytes: bytes.length });
            expect(sha256((await download(body.download_url as string)).bytes)).toBe(sha256(bytes));
            expect(linesMatching(new RegExp(`asset ${id} (ready|failed)`))).toHaveLength(1);
          }
          // The assets C held were measured by A or B once its lease ran out; C measured nothing.
          for (const id of held) {
            expect(linesMatching(new RegExp(`asset ${id} processing on`)).map((line) => line[0])).toEqual(['C', expect.stringMatching(/^[AB]$/)]);
          }
          expect(await (locks as Redis).keys(`${LOCK_PREFIX}*`)).toEqual([]);
        });
      });
    });
  });
});

/** Resolves once some instance holds the lock of upload `id` (polled, with a bound). */
async function lockHeld(redis: Redis, id: string): Promise<void> {
  for (const deadline = Date.now() + 5000; Date.now() < deadline; await delay(10)) {
    if ((await redis.exists(`${LOCK_PREFIX}${id}`)) === 1) return;
  }
  throw new Error(`no instance took the lock of ${id} within 5 s`);
}
