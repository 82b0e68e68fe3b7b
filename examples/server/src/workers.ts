import cluster, { type Worker } from 'node:cluster';
import { once } from 'node:events';
import { generateApiKey } from './auth.js';
import { ClusterLockAuthority } from './cluster-locks.js';
import type { Logger, ServerOptions } from './config.js';

/** What a worker tells the primary once it listens. */
export interface WorkerReady {
  tuskitReady: { url: string };
}

function isReady(message: unknown): message is WorkerReady {
  return typeof message === 'object' && message !== null && 'tuskitReady' in message;
}

/** What {@link startWorkers} returns once every worker listens. */
export interface RunningWorkers {
  url: string;
  /** The bearer token every worker checks (generated here when none was given). */
  apiKey: string;
  /** Lets every worker drain (SIGTERM: in-flight PATCHes persist and answer), then resolves. */
  stop(): Promise<void>;
}

/**
 * The primary process of `WORKERS=N`: forks `count` workers that each run
 * the server on the same port (the cluster module shares the listening
 * socket), holds their upload locks ({@link ClusterLockAuthority}), and
 * replaces a worker that dies. Every worker gets the same API key.
 *
 * @example
 * ```ts
 * const workers = await startWorkers({ ...optionsFromEnv(process.env), logger }, 4);
 * process.on('SIGTERM', () => workers.stop().then(() => process.exit(0)));
 * ```
 */
export async function startWorkers(options: ServerOptions & { logger: Logger }, count: number): Promise<RunningWorkers> {
  const apiKey = options.apiKey ?? generateApiKey();
  const authority = new ClusterLockAuthority();
  let stopping = false;
  const fork = () => {
    const worker = cluster.fork({ API_KEY: apiKey });
    authority.serve(worker);
    return worker;
  };
  const started = Array.from({ length: count }, fork);
  let url: string;
  try {
    [url] = (await Promise.all(started.map(whenReady))) as [string];
  } catch (error) {
    for (const worker of started) worker.process.kill('SIGKILL');
    throw error;
  }
  cluster.on('exit', (worker, code, signal) => {
    if (stopping) return;
    options.logger.error(`worker ${worker.process.pid} exited (${signal ?? `code ${code}`}); starting another`);
    fork();
  });
  return {
    url,
    apiKey,
    async stop() {
      stopping = true;
      const workers = Object.values(cluster.workers ?? {}).filter((worker): worker is Worker => worker !== undefined);
      await Promise.all(
        workers.map(async (worker) => {
          const exited = once(worker, 'exit');
          worker.process.kill('SIGTERM');
          await exited;
        }),
      );
    },
  };
}

/** The worker's URL once it listens; rejects when it exits first (a configuration error, a port in use). */
function whenReady(worker: Worker): Promise<string> {
  return new Promise((resolve, reject) => {
    const onMessage = (message: unknown) => {
      if (!isReady(message)) return;
      worker.off('exit', onExit);
      worker.off('message', onMessage);
      resolve(message.tuskitReady.url);
    };
    const onExit = (code: number | null, signal: string | null) => {
      worker.off('message', onMessage);
      reject(new Error(`worker ${worker.process.pid} exited before it listened (${signal ?? `code ${code}`})`));
    };
    worker.on('message', onMessage);
    worker.once('exit', onExit);
  });
}
