// The CLI entry (`npm start`): reads the variables, serves (as WORKERS processes on one port), and shuts down
// gracefully on SIGTERM/SIGINT.
import cluster from 'node:cluster';
import { ClusterLocker } from './cluster-locks.js';
import { ConfigError, optionsFromEnv, resolveOptions, type Logger, type ServerOptions } from './config.js';
import { startServer } from './server.js';
import { storeKindFromEnv } from './store.js';
import { startWorkers, type WorkerReady } from './workers.js';

async function main(): Promise<void> {
  const options = optionsFromEnv(process.env);
  const { logger, workers, framework } = resolveOptions(options);
  if (cluster.isPrimary && workers > 1) return primary({ ...options, logger }, workers);
  // A worker: the primary holds the upload locks of every worker (unless Redis holds them for every instance).
  const server = await startServer({ ...options, logger, ...(cluster.isWorker && { locker: new ClusterLocker(process) }) });
  if (cluster.isWorker) process.send?.({ tuskitReady: { url: server.url } } satisfies WorkerReady);
  else announce(logger, server.url, options.apiKey ? undefined : server.apiKey, framework, 1);
  onStop(logger, async (signal) => {
    logger.info(`${signal}: no new connections; letting in-flight uploads persist what they received`);
    await server.close();
  });
}

async function primary(options: ServerOptions & { logger: Logger }, count: number): Promise<void> {
  const { logger } = options;
  const workers = await startWorkers(options, count);
  announce(logger, workers.url, options.apiKey ? undefined : workers.apiKey, resolveOptions(options).framework, count);
  onStop(logger, async (signal) => {
    logger.info(`${signal}: draining ${count} workers`);
    await workers.stop();
  });
}

function announce(logger: Logger, url: string, generatedKey: string | undefined, framework: string, workers: number): void {
  const key = generatedKey ? `${generatedKey} (generated; set API_KEY to choose one)` : 'from API_KEY';
  const processes = workers === 1 ? '1 process' : `${workers} worker processes`;
  logger.info(
    `tuskit reference API ready at ${url} (framework ${framework}, store ${storeKindFromEnv(process.env)}, ${processes}); API key: ${key}`,
  );
}

/** Runs `stop` once on SIGTERM or SIGINT, then exits. */
function onStop(logger: Logger, stop: (signal: NodeJS.Signals) => Promise<void>): void {
  let stopping = false;
  const handle = (signal: NodeJS.Signals) => {
    // A terminal's Ctrl+C reaches `npm start` (which forwards it), the primary and every worker: act once.
    if (stopping) return;
    stopping = true;
    stop(signal).then(
      () => {
        logger.info('stopped');
        process.exit(0);
      },
      (error: unknown) => {
        logger.error('shutdown failed', error);
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', handle);
  process.on('SIGINT', handle);
}

main().catch((error: unknown) => {
  console.error(error instanceof ConfigError ? `configuration error: ${error.message}` : error);
  process.exit(1);
});
