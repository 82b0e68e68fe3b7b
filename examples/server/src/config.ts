import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import type { DataStore, Locker } from '@tuskit/core';
import type { Level } from 'pino';
import { TEST_FAULTS, type TestFault } from './faults.js';
import { jsonLogger, type Logger } from './logging.js';

/** `CORS_ORIGINS`: `'*'` or the exact origins (`https://app.example.com`) browsers may call the API from. */
export type CorsOrigins = '*' | readonly string[];

export type { Logger } from './logging.js';

/** The two web frameworks the server runs on, unchanged. */
export const FRAMEWORKS = ['express', 'koa'] as const;
/** One of {@link FRAMEWORKS}. */
export type Framework = (typeof FRAMEWORKS)[number];

/** The levels `LOG_LEVEL` takes. */
export const LOG_LEVELS: readonly Level[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace'];

/**
 * Options of {@link startServer}; every field has the default of the
 * variable of the same name (see {@link optionsFromEnv}).
 *
 * @example
 * ```ts
 * const options: ServerOptions = { port: 0, dataDir: '/tmp/api', framework: 'koa' };
 * ```
 */
export interface ServerOptions {
  /** `PORT`; 0 picks a free port. Default 1080. */
  port?: number;
  /** `HOST`. Default `127.0.0.1`. */
  host?: string;
  /** `PUBLIC_URL`: origin of `Location`, `upload_url` and `download_url`. Default `http://HOST:PORT`. */
  publicUrl?: string;
  /** `API_KEY`: the bearer token. Default: generated at start. */
  apiKey?: string;
  /** `DATA_DIR`: SQLite database, download secret and fs-store files. Default `./data`. */
  dataDir?: string;
  /**
   * `DATABASE_URL` (`postgres://…` or `postgresql://…`): projects and assets
   * live in this PostgreSQL database, shared by every instance. Default: SQLite
   * in `DATA_DIR/api.sqlite` (one machine).
   */
  databaseUrl?: string;
  /**
   * `PROCESSING_LEASE_SECONDS`: how long an instance holds an asset it
   * measures without renewing its lease; the asset of an instance that died
   * is measured by another one after this long. Default 30.
   */
  processingLeaseSeconds?: number;
  /**
   * `WORKERS` (read by `npm start` only): processes serving the one port.
   * Default: the available cores. {@link startServer} is always one process.
   */
  workers?: number;
  /**
   * `TUSKIT_TEST_FAULT`, for tests only: `hang-after-claim` (the instance
   * claims assets and never measures them), or a step of a completion at which
   * the process SIGKILLs itself (`kill-before-finalize`, `kill-after-finalize`,
   * `kill-before-processing`, `kill-after-processing`, `kill-before-ready`).
   */
  testFault?: TestFault;
  /** `FRAMEWORK`. Default `express`. */
  framework?: Framework;
  /** The upload store. Default: {@link createStoreFromEnv} over `process.env` (`STORE`, default `fs`). */
  store?: DataStore;
  /** `MAX_UPLOAD_BYTES` (Tus-Max-Size). Default 50 GiB. */
  maxUploadBytes?: number;
  /** `UPLOAD_TTL_SECONDS`: expiry of a new upload. Default 7 days. */
  uploadTtlSeconds?: number;
  /** `UPLOAD_IDLE_TTL_SECONDS`: expiry after each PATCH. Default 48 hours. */
  uploadIdleTtlSeconds?: number;
  /**
   * `REAP_INTERVAL_SECONDS`: how often expired uploads are reaped, and how
   * often one instance looks for completions a crash interrupted. Default 60.
   */
  reapIntervalSeconds?: number;
  /** `PATCH_IDLE_TIMEOUT_SECONDS`: a PATCH that receives no byte for this long ends, keeping its bytes. Default 60. */
  patchIdleTimeoutSeconds?: number;
  /** `HEADERS_TIMEOUT_SECONDS`: time a client has to send a request's line and headers; then 408 and close. Default 30. */
  headersTimeoutSeconds?: number;
  /** `REQUEST_BODY_TIMEOUT_SECONDS`: time a REST request (not an upload) has to send its JSON body. Default 30. */
  requestBodyTimeoutSeconds?: number;
  /** `KEEP_ALIVE_TIMEOUT_SECONDS`: how long an idle kept-alive connection stays open. Default 5. */
  keepAliveTimeoutSeconds?: number;
  /** `MAX_CONNECTIONS`: open connections in total; further ones are closed on arrival. Default 1000. */
  maxConnections?: number;
  /**
   * `MAX_CONNECTIONS_PER_ADDRESS`: open connections from one client address;
   * 0 turns the cap off (behind a proxy, every client has its address). Default 64.
   */
  maxConnectionsPerAddress?: number;
  /**
   * `REDIS_URL` (`redis://…` or `rediss://…`): upload locks live in this
   * Redis, so several instances can share one store and catalog. Default:
   * in-process locks (one instance).
   */
  redisUrl?: string;
  /**
   * The upload locks when `redisUrl` is not set, e.g. the workers' shared
   * locks under `WORKERS=N`. Default: in-process locks.
   */
  locker?: Locker;
  /** `REDIS_LOCK_PREFIX`: prefix of the lock keys and channels. Default `tuskit:lock:`. */
  redisLockPrefix?: string;
  /** `REDIS_LOCK_TTL_SECONDS`: how long the lock of a killed instance outlives it. Default 10. */
  redisLockTtlSeconds?: number;
  /** `PROBE_TIME_LIMIT_MS`: time the probe of one file may spend parsing before the asset fails `probe_timeout`. Default 30000. */
  probeTimeLimitMs?: number;
  /** `PROBE_MEMORY_LIMIT_MB`: heap of the probe's worker thread; a probe over it fails `probe_failed`. Default 64. */
  probeMemoryLimitMb?: number;
  /** `LOG_LEVEL` of the default logger: `fatal`, `error`, `warn`, `info`, `debug` or `trace`. Default `info`. */
  logLevel?: Level;
  /** Default: JSON lines on standard output ({@link jsonLogger} at `logLevel`). */
  logger?: Logger;
  /**
   * `CORS_ORIGINS`: `*` or a comma-separated list of the origins whose pages
   * may call the API and upload (`https://app.example.com,https://admin.example.com`).
   * Default `*` (the API takes a bearer token, never a cookie).
   */
  corsOrigins?: CorsOrigins;
  /** `METRICS_KEY`: a bearer token that may read `/metrics` (the API key always may). Default: none. */
  metricsKey?: string;
}

/** Every option once defaults are applied (the store stays optional: it is built at start). */
export type ResolvedServerOptions = Required<Omit<ServerOptions, OptionalOption>> & Pick<ServerOptions, OptionalOption>;

/** Options without a default value. */
type OptionalOption = 'publicUrl' | 'apiKey' | 'store' | 'locker' | 'redisUrl' | 'redisLockPrefix' | 'metricsKey' | 'databaseUrl' | 'testFault';

/**
 * Thrown for a variable or option that cannot be used; `main` prints its
 * message and exits 1.
 *
 * @example
 * ```ts
 * throw new ConfigError('FRAMEWORK must be express or koa, not "hapi".');
 * ```
 */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

const DEFAULTS = {
  port: 1080,
  host: '127.0.0.1',
  dataDir: './data',
  framework: 'express',
  maxUploadBytes: 53_687_091_200,
  uploadTtlSeconds: 604_800,
  uploadIdleTtlSeconds: 172_800,
  reapIntervalSeconds: 60,
  patchIdleTimeoutSeconds: 60,
  headersTimeoutSeconds: 30,
  requestBodyTimeoutSeconds: 30,
  keepAliveTimeoutSeconds: 5,
  maxConnections: 1000,
  maxConnectionsPerAddress: 64,
  redisLockTtlSeconds: 10,
  processingLeaseSeconds: 30,
  workers: availableParallelism(),
  probeTimeLimitMs: 30_000,
  probeMemoryLimitMb: 64,
  logLevel: 'info',
  corsOrigins: '*',
} as const;

/**
 * Applies the defaults and checks every option.
 *
 * @example
 * ```ts
 * resolveOptions({ port: 0 }).maxUploadBytes; // 53687091200
 * ```
 */
export function resolveOptions(options: ServerOptions): ResolvedServerOptions {
  const given = withoutUndefined(options);
  const resolved = { ...DEFAULTS, ...given };
  if (!LOG_LEVELS.includes(resolved.logLevel)) {
    throw new ConfigError(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}, not "${resolved.logLevel}".`);
  }
  if (resolved.corsOrigins !== '*') resolved.corsOrigins.forEach(checkOrigin);
  if (resolved.metricsKey !== undefined && resolved.metricsKey.trim() === '') throw new ConfigError('METRICS_KEY must not be empty.');
  checkInteger('PORT', resolved.port, 0, 65_535);
  checkInteger('MAX_UPLOAD_BYTES', resolved.maxUploadBytes, 64, Number.MAX_SAFE_INTEGER);
  checkInteger('UPLOAD_TTL_SECONDS', resolved.uploadTtlSeconds, 1, Number.MAX_SAFE_INTEGER);
  checkInteger('UPLOAD_IDLE_TTL_SECONDS', resolved.uploadIdleTtlSeconds, 1, Number.MAX_SAFE_INTEGER);
  checkInteger('REAP_INTERVAL_SECONDS', resolved.reapIntervalSeconds, 1, 2_147_483);
  checkInteger('PATCH_IDLE_TIMEOUT_SECONDS', resolved.patchIdleTimeoutSeconds, 1, 2_147_483);
  checkInteger('REDIS_LOCK_TTL_SECONDS', resolved.redisLockTtlSeconds, 1, 2_147_483);
  checkInteger('PROCESSING_LEASE_SECONDS', resolved.processingLeaseSeconds, 1, 2_147_483);
  checkInteger('WORKERS', resolved.workers, 1, 1024);
  if (resolved.testFault !== undefined && !TEST_FAULTS.includes(resolved.testFault)) {
    throw new ConfigError(`TUSKIT_TEST_FAULT must be one of ${TEST_FAULTS.join(', ')}, not "${resolved.testFault}".`);
  }
  checkInteger('PROBE_TIME_LIMIT_MS', resolved.probeTimeLimitMs, 1, 2_147_483_647);
  checkInteger('PROBE_MEMORY_LIMIT_MB', resolved.probeMemoryLimitMb, 16, 65_536);
  checkInteger('HEADERS_TIMEOUT_SECONDS', resolved.headersTimeoutSeconds, 1, 2_147_483);
  checkInteger('REQUEST_BODY_TIMEOUT_SECONDS', resolved.requestBodyTimeoutSeconds, 1, 2_147_483);
  checkInteger('KEEP_ALIVE_TIMEOUT_SECONDS', resolved.keepAliveTimeoutSeconds, 1, 2_147_483);
  checkInteger('MAX_CONNECTIONS', resolved.maxConnections, 1, 1_000_000);
  checkInteger('MAX_CONNECTIONS_PER_ADDRESS', resolved.maxConnectionsPerAddress, 0, 1_000_000);
  if (!FRAMEWORKS.includes(resolved.framework)) {
    throw new ConfigError(`FRAMEWORK must be ${FRAMEWORKS.join(' or ')}, not "${resolved.framework}".`);
  }
  if (resolved.apiKey !== undefined && resolved.apiKey.trim() === '') throw new ConfigError('API_KEY must not be empty.');
  return {
    ...resolved,
    logger: given.logger ?? jsonLogger({ level: resolved.logLevel }),
    dataDir: resolve(resolved.dataDir),
    publicUrl: resolved.publicUrl === undefined ? undefined : checkPublicUrl(resolved.publicUrl),
    redisUrl: resolved.redisUrl === undefined ? undefined : checkRedisUrl(resolved.redisUrl),
    databaseUrl: resolved.databaseUrl === undefined ? undefined : checkDatabaseUrl(resolved.databaseUrl),
  };
}

/**
 * Reads the server's variables (see the README's table); unset or empty
 * variables keep their defaults. Throws a {@link ConfigError} for a value
 * that is not of the right form.
 *
 * @example
 * ```ts
 * const server = await startServer(optionsFromEnv(process.env));
 * ```
 */
export function optionsFromEnv(env: NodeJS.ProcessEnv): ServerOptions {
  const text = (name: string) => envText(env, name);
  const integer = (name: string) => envInteger(env, name);
  return {
    port: integer('PORT'),
    host: text('HOST'),
    publicUrl: text('PUBLIC_URL'),
    apiKey: text('API_KEY'),
    dataDir: text('DATA_DIR'),
    framework: text('FRAMEWORK') as Framework | undefined,
    maxUploadBytes: integer('MAX_UPLOAD_BYTES'),
    uploadTtlSeconds: integer('UPLOAD_TTL_SECONDS'),
    uploadIdleTtlSeconds: integer('UPLOAD_IDLE_TTL_SECONDS'),
    reapIntervalSeconds: integer('REAP_INTERVAL_SECONDS'),
    patchIdleTimeoutSeconds: integer('PATCH_IDLE_TIMEOUT_SECONDS'),
    headersTimeoutSeconds: integer('HEADERS_TIMEOUT_SECONDS'),
    requestBodyTimeoutSeconds: integer('REQUEST_BODY_TIMEOUT_SECONDS'),
    keepAliveTimeoutSeconds: integer('KEEP_ALIVE_TIMEOUT_SECONDS'),
    maxConnections: integer('MAX_CONNECTIONS'),
    maxConnectionsPerAddress: integer('MAX_CONNECTIONS_PER_ADDRESS'),
    redisUrl: text('REDIS_URL'),
    redisLockPrefix: text('REDIS_LOCK_PREFIX'),
    redisLockTtlSeconds: integer('REDIS_LOCK_TTL_SECONDS'),
    databaseUrl: text('DATABASE_URL'),
    processingLeaseSeconds: integer('PROCESSING_LEASE_SECONDS'),
    workers: integer('WORKERS'),
    testFault: text('TUSKIT_TEST_FAULT') as ServerOptions['testFault'],
    probeTimeLimitMs: integer('PROBE_TIME_LIMIT_MS'),
    probeMemoryLimitMb: integer('PROBE_MEMORY_LIMIT_MB'),
    logLevel: text('LOG_LEVEL') as Level | undefined,
    corsOrigins: corsOriginsFrom(text('CORS_ORIGINS')),
    metricsKey: text('METRICS_KEY'),
  };
}

function corsOriginsFrom(value: string | undefined): CorsOrigins | undefined {
  if (value === undefined || value === '*') return value;
  return value.split(',').map((origin) => origin.trim()).filter(Boolean);
}

/**
 * A variable's trimmed value; `undefined` when it is unset or blank.
 *
 * @example
 * ```ts
 * envText({ S3_BUCKET: ' media ' }, 'S3_BUCKET'); // 'media'
 * ```
 */
export function envText(env: NodeJS.ProcessEnv, name: string): string | undefined {
  return env[name]?.trim() || undefined;
}

/**
 * A variable holding a non-negative integer; `undefined` when it is unset or
 * blank. Throws a {@link ConfigError} for anything else.
 *
 * @example
 * ```ts
 * envInteger({ PORT: '8080' }, 'PORT'); // 8080
 * ```
 */
export function envInteger(env: NodeJS.ProcessEnv, name: string): number | undefined {
  const value = envText(env, name);
  if (value === undefined) return undefined;
  if (!/^\d{1,16}$/.test(value)) throw new ConfigError(`${name} must be a non-negative integer, not "${value}".`);
  return Number(value);
}

/**
 * `http://HOST:PORT`, with IPv6 addresses in brackets.
 *
 * @example
 * ```ts
 * defaultPublicUrl('::1', 1080); // 'http://[::1]:1080'
 * ```
 */
export function defaultPublicUrl(host: string, port: number): string {
  return `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
}

function checkPublicUrl(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigError(`PUBLIC_URL must be an absolute URL, not "${value}".`);
  }
  if (!/^https?:$/.test(url.protocol) || url.search || url.hash) {
    throw new ConfigError(`PUBLIC_URL must be an http(s) origin with an optional path, not "${value}".`);
  }
  return url.href.replace(/\/+$/, '');
}

function checkOrigin(value: string): void {
  const url = URL.parse(value);
  if (!url || !/^https?:$/.test(url.protocol) || url.origin !== value) {
    throw new ConfigError(`CORS_ORIGINS must be * or origins such as https://app.example.com, not "${value}".`);
  }
}

function checkRedisUrl(value: string): string {
  // The URL may carry a password: never echo it.
  if (!/^rediss?:$/.test(URL.parse(value)?.protocol ?? '')) throw new ConfigError('REDIS_URL must be a redis:// or rediss:// URL.');
  return value;
}

function checkDatabaseUrl(value: string): string {
  // The URL may carry a password: never echo it.
  if (!/^postgres(ql)?:$/.test(URL.parse(value)?.protocol ?? '')) throw new ConfigError('DATABASE_URL must be a postgres:// or postgresql:// URL.');
  return value;
}

function checkInteger(name: string, value: number, min: number, max: number): void {
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new ConfigError(`${name} must be an integer from ${min} to ${max}, not ${value}.`);
  }
}

function withoutUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
