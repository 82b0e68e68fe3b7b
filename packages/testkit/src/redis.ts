import { spawn, spawnSync } from 'node:child_process';
import { isDockerRequired } from './env.js';
import { freePort } from './ports.js';
import { untilOutput } from './ready-line.js';
import { describeWithService } from './suites.js';

const LOOPBACK = '127.0.0.1';
const READY_LINE = 'Ready to accept connections';
const STARTUP_TIMEOUT_MS = 15_000;

type Env = Readonly<Record<string, string | undefined>>;

/** Whether suites can start `redis-server`, and whether they must. */
export type RedisAvailability =
  | { readonly available: true; readonly required: boolean; readonly version: string }
  | { readonly available: false; readonly required: boolean; readonly reason: string };

/** A `redis-server` started by {@link startRedis}. */
export interface RunningRedis {
  /** `redis://127.0.0.1:<port>` */
  readonly url: string;
  readonly host: string;
  readonly port: number;
  /** Process id of the server. */
  readonly pid: number;
  /** Stops the server (SIGTERM, then waits for it to exit); safe to call twice. */
  stop(): Promise<void>;
}

/**
 * Whether a missing `redis-server` must fail the suites instead of skipping
 * them: `TUSKIT_REQUIRE_REDIS` decides when set (`1`/`true` vs `0`/`false`),
 * otherwise `CI` — the rule of {@link isDockerRequired}, read from another variable.
 *
 * @example
 * isRedisRequired({ CI: 'true' }); // true
 * isRedisRequired({ CI: 'true', TUSKIT_REQUIRE_REDIS: '0' }); // false
 */
export function isRedisRequired(env: Env = process.env): boolean {
  return isDockerRequired({ TUSKIT_REQUIRE_DOCKER: env.TUSKIT_REQUIRE_REDIS, CI: env.CI });
}

/**
 * Looks for the `redis-server` binary on PATH (`redis-server --version`).
 *
 * @example
 * const redis = redisAvailability();
 * if (!redis.available) console.log(redis.reason);
 */
export function redisAvailability(): RedisAvailability {
  const required = isRedisRequired();
  const probe = spawnSync('redis-server', ['--version'], { encoding: 'utf8' });
  if (probe.error !== undefined || probe.status !== 0) {
    const why = probe.error?.message ?? `exit code ${probe.status}`;
    return { available: false, required, reason: `redis-server is not runnable (${why})` };
  }
  return { available: true, required, version: probe.stdout.trim() };
}

/**
 * `describe` for suites that need `redis-server`: skipped with a printed
 * reason when it is missing, or one failing test when it is required (CI).
 *
 * @example
 * describeWithRedis(redisAvailability(), 'RedisLocker', () => {
 *   let redis: RunningRedis;
 *   beforeAll(async () => { redis = await startRedis(); });
 *   afterAll(() => redis?.stop());
 *   it('locks', async () => { ... redis.url ... });
 * });
 */
export function describeWithRedis(redis: RedisAvailability, name: string, body: () => void): void {
  describeWithService(redis, { service: 'redis-server', requireVariable: 'TUSKIT_REQUIRE_REDIS', setup: 'source .ci/prepare-clients.sh' }, name, body);
}

/**
 * Starts a throwaway `redis-server` on a free loopback port, without
 * persistence, and resolves once it accepts connections. It never touches a
 * system-wide Redis service.
 *
 * @example
 * const redis = await startRedis();
 * const client = new Redis(redis.url);
 * // ...
 * client.disconnect();
 * await redis.stop();
 */
export async function startRedis(): Promise<RunningRedis> {
  const port = await freePort();
  const args = ['--port', String(port), '--bind', LOOPBACK, '--save', '', '--appendonly', 'no', '--daemonize', 'no'];
  const child = spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  try {
    await untilOutput(child, { name: 'redis-server', line: READY_LINE, timeoutMs: STARTUP_TIMEOUT_MS });
  } catch (error) {
    killOnExit();
    process.off('exit', killOnExit);
    throw error;
  }
  const exited = new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });
  const stop = async () => {
    process.off('exit', killOnExit);
    child.kill('SIGTERM');
    await exited;
  };
  return { url: `redis://${LOOPBACK}:${port}`, host: LOOPBACK, port, pid: child.pid ?? -1, stop };
}
