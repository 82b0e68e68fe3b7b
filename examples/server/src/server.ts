import type { RequestListener, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { ANY_AUDIO_OR_VIDEO, createTus, type DataStore, type Locker, type Tus, type TusHooks } from '@tuskit/core';
import { createNodeServer } from '@tuskit/core/node';
import { createApi, type AppOptions } from './api.js';
import { createExpressApp } from './apps/express.js';
import { createKoaApp } from './apps/koa.js';
import { AssetService } from './assets.js';
import { bearerCheck, generateApiKey } from './auth.js';
import { withCors } from './cors.js';
import { defaultPublicUrl, resolveOptions, type Framework, type Logger, type ResolvedServerOptions, type ServerOptions } from './config.js';
import { openCatalog, type Catalog } from './db.js';
import { DownloadLinks, loadDownloadSecret } from './downloads.js';
import { killSwitch, withKillPoints } from './faults.js';
import { assetLifecycle } from './lifecycle.js';
import { createUploadLocks, type UploadLocks } from './locker.js';
import { observeRequests } from './logging.js';
import { ServerMetrics } from './metrics.js';
import { UploadPage } from './page.js';
import { ProcessingQueue } from './processing.js';
import { CompletionRecovery } from './recovery.js';
import { createStoreFromEnv } from './store.js';

/** What {@link startServer} returns. */
export interface RunningServer {
  /** The public origin, e.g. `http://127.0.0.1:1080`. */
  url: string;
  /** The port listened on (useful with `port: 0`). */
  port: number;
  /** The bearer token (generated when none was given). */
  apiKey: string;
  framework: Framework;
  /** Removes expired uploads and their assets now (as of `now`); returns their ids. */
  reap(now?: Date): Promise<string[]>;
  /**
   * Delivers again the completion of every `pending_upload` asset whose bytes
   * are all stored (done at every start, and periodically by one instance);
   * returns their ids.
   */
  recover(): Promise<string[]>;
  /** Resolves once every asset waiting to be measured has been. */
  drain(): Promise<void>;
  /** Stops accepting, lets in-flight PATCHes persist and answer, then closes everything. */
  close(): Promise<void>;
}

const UPLOADS_PATH = '/v1/uploads';
/** How long open connections may take to finish their answer once the server closes. */
const CLOSE_GRACE_MS = 5000;

const APPS: Record<Framework, (options: AppOptions<unknown>) => RequestListener> = {
  express: createExpressApp,
  koa: createKoaApp,
};

/**
 * Starts the reference upload API: projects and assets in SQLite under
 * `dataDir` (or PostgreSQL at `databaseUrl`), uploads through the TUS engine on the chosen framework and
 * store. `port: 0` listens on a free port (see `url`).
 *
 * @example
 * ```ts
 * const server = await startServer({ port: 0, dataDir: '/tmp/api', framework: 'koa' });
 * await fetch(`${server.url}/v1/projects`, { method: 'POST', headers: { authorization: `Bearer ${server.apiKey}` } });
 * await server.close();
 * ```
 */
export async function startServer(options: ServerOptions = {}): Promise<RunningServer> {
  const config = resolveOptions(options);
  const { logger } = config;
  const apiKey = config.apiKey ?? generateApiKey();
  const isAuthorized = bearerCheck(apiKey);
  // The origin is known only once listening (PORT=0); nothing reads it before.
  let origin = config.publicUrl ?? '';
  const page = await UploadPage.load(() => origin);
  const store = config.store ?? (await createStoreFromEnv({ env: process.env, dataDir: config.dataDir }));
  const links = new DownloadLinks(store, await loadDownloadSecret(config.dataDir), logger);
  const catalog = await openCatalog({
    databaseUrl: config.databaseUrl,
    dataDir: config.dataDir,
    onError: (error) => logger.error('database connection error', error),
  });
  const owner = instanceName();
  const kill = killSwitch(config.testFault);
  const metrics = new ServerMetrics();
  const onFailed = (code: string) => metrics.assetFailed(code);
  const processing = new ProcessingQueue({
    catalog,
    store,
    logger,
    owner,
    leaseMs: config.processingLeaseSeconds * 1000,
    ...(config.testFault === 'hang-after-claim' && { afterClaim: hangForever(logger) }),
    ...(config.testFault === 'kill-before-ready' && { beforeFinish: () => kill('kill-before-ready') }),
    probeTimeLimitMs: config.probeTimeLimitMs,
    probeMemoryLimitMb: config.probeMemoryLimitMb,
    onFailed,
  });
  const locks = createUploadLocks(config);
  const hooks = withKillPoints(assetLifecycle({ catalog, processing, logger, onFailed, testFault: config.testFault }), config.testFault);
  const tus = createEngine(config, { store, locker: locks.locker, isAuthorized, hooks });
  metrics.watch(tus);
  const recovery = new CompletionRecovery({ catalog, tus, logger, owner, intervalMs: config.reapIntervalSeconds * 1000 });
  const service = new AssetService({ catalog, uploads: tus, links, origin: () => origin });
  const metricsKey = config.metricsKey === undefined ? undefined : bearerCheck(config.metricsKey);
  const endpoint = {
    render: () => metrics.render(),
    isAuthorized: (authorization: string | undefined) => isAuthorized(authorization) || metricsKey?.(authorization) === true,
  };
  const rest = createApi({
    service,
    links,
    page,
    isAuthorized,
    maxUploadBytes: tus.maxSize,
    bodyTimeoutMs: config.requestBodyTimeoutSeconds * 1000,
    logger,
    metrics: endpoint,
  });
  const api = withCors(rest, config.corsOrigins);
  const app = observeRequests(APPS[config.framework]({ tus, api, logger }), (line) => {
    metrics.observeRequest(line);
    logger.request?.(line);
  });
  // Headers, idle connections and connection counts are bounded; a whole request is not (a large PATCH
  // lasts hours): a PATCH ends when its client is idle for PATCH_IDLE_TIMEOUT_SECONDS, a REST body
  // must arrive within REQUEST_BODY_TIMEOUT_SECONDS.
  const server = createNodeServer(app, {
    headersTimeoutMs: config.headersTimeoutSeconds * 1000,
    keepAliveTimeoutMs: config.keepAliveTimeoutSeconds * 1000,
    maxConnections: config.maxConnections,
    maxConnectionsPerAddress: config.maxConnectionsPerAddress,
  });
  const port = await listen(server, config.port, config.host).catch(async (error: unknown) => {
    metrics.close();
    await tus.close();
    await processing.close();
    await locks.close();
    await catalog.close();
    throw error;
  });
  origin = config.publicUrl ?? defaultPublicUrl(config.host, port);
  // Assets left in processing by a stop or a crash, here or on an instance gone for good.
  processing.wake();
  // Completions a crash interrupted (maybe this instance's own, before this start), then periodically.
  void recovery.sweep();
  recovery.start();

  let closing: Promise<void> | undefined;
  return {
    url: origin,
    port,
    apiKey,
    framework: config.framework,
    reap: (now) => tus.reap(now),
    recover: () => recovery.sweep(),
    drain: () => processing.drain(),
    close: () => (closing ??= shutDown({ server, tus, processing, recovery, locks, catalog }).finally(() => metrics.close())),
  };
}

/** The TUS engine under `/v1/uploads`, configured from the options. */
function createEngine(
  config: ResolvedServerOptions,
  parts: {
    store: DataStore;
    locker: Locker | undefined;
    isAuthorized: (authorization: string | undefined) => boolean;
    hooks: TusHooks<unknown>;
  },
): Tus<unknown> {
  return createTus<unknown>({
    store: parts.store,
    basePath: UPLOADS_PATH,
    maxSize: config.maxUploadBytes,
    uploadTtlMs: config.uploadTtlSeconds * 1000,
    idleTtlMs: config.uploadIdleTtlSeconds * 1000,
    reapIntervalMs: config.reapIntervalSeconds * 1000,
    idleTimeoutMs: config.patchIdleTimeoutSeconds * 1000,
    // The product: audio and video only, checked on the first chunk.
    accept: ANY_AUDIO_OR_VIDEO,
    locker: parts.locker,
    authorize: (request) => parts.isAuthorized(request.header('authorization')),
    hooks: parts.hooks,
    cors: { origin: config.corsOrigins },
    // A stale upload URL must not delete an asset that was delivered.
    disableTerminationForFinishedUploads: true,
    ...(config.logger.engine && { logger: config.logger.engine }),
    // The engine's logger writes unexpected errors itself.
    onError: config.logger.engine ? undefined : (error) => config.logger.error('upload error', error),
  });
}

/** What {@link shutDown} closes. */
interface ServerParts {
  server: Server;
  tus: Tus<unknown>;
  processing: ProcessingQueue;
  recovery: CompletionRecovery;
  locks: UploadLocks;
  catalog: Catalog;
}

/** Stops accepting, lets in-flight PATCHes persist and answer, stops processing, then closes the rest. */
async function shutDown({ server, tus, processing, recovery, locks, catalog }: ServerParts): Promise<void> {
  const closed = new Promise((resolve) => server.close(resolve));
  await recovery.close();
  await tus.close();
  await processing.close();
  server.closeIdleConnections();
  const grace = setTimeout(() => server.closeAllConnections(), CLOSE_GRACE_MS);
  await closed;
  clearTimeout(grace);
  // Only once no connection is left: a request on a kept-alive connection still needs the locks.
  await locks.close();
  await catalog.close();
}

/** The name of this process on the processing leases it takes: unique among the instances. */
function instanceName(): string {
  return `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
}

/** The `hang-after-claim` fault: a claimed asset is never measured (the test kills this instance). */
function hangForever(logger: Logger): (id: string) => Promise<void> {
  return (id) => {
    logger.info(`asset ${id}: held by the hang-after-claim fault`);
    return new Promise(() => {});
  };
}

function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}
