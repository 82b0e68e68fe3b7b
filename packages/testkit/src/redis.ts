import { spawn } from 'node:child_process';
import { freePort } from './ports.js';
import { untilOutput } from './ready-line.js';
import { TOOLS, commandAvailability, describeWithTool } from './tools.js';

const LOOPBACK = '127.0.0.1';
const READY_LINE = 'Ready to accept connections';
const STARTUP_TIMEOUT_MS = 15_000;

/** Whether suites can start `redis-server`. */
export type RedisAvailability = { readonly available: true } | { readonly available: false; readonly reason: string };

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
 * Whether `redis-server` is on PATH (`redis-server --version`).
 *
 * @example
 * const redis = redisAvailability();
 * if (!redis.available) console.log(redis.reason);
 */
export function redisAvailability(): RedisAvailability {
  return commandAvailability('redis-server', ['--version']);
}

/**
 * `describe` for suites that need `redis-server`: {@link describeWithTool}
 * for it (skipped with a printed reason without it, a failure in CI).
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
  describeWithTool(TOOLS.redis, redis, name, body);
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
