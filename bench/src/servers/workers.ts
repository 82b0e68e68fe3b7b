import cluster from 'node:cluster';
import type { RequestListener } from 'node:http';
import type { Locker } from '@tuskit/core';
import { serve } from './listen.js';

/**
 * The tuskit server as `count` `node:cluster` workers on one port, as the
 * reference server runs with `WORKERS=N`: the primary holds every worker's
 * upload locks (the reference server's cluster locks) and announces the
 * port once all workers listen; on SIGTERM it stops them.
 *
 * @example
 * ```ts
 * await serveWorkers(2, () => tuskitListener(config));
 * ```
 */
export async function serveWorkers(count: number, listener: () => Promise<RequestListener>): Promise<void> {
  if (cluster.isWorker) {
    const server = await serve(await listener(), async () => {}, { announce: false });
    process.send?.({ benchListening: (server.address() as { port: number }).port });
    return;
  }
  const { ClusterLockAuthority } = await import('@tuskit/example-server/cluster');
  const authority = new ClusterLockAuthority();
  const workers = Array.from({ length: count }, () => {
    const worker = cluster.fork();
    authority.serve(worker);
    return worker;
  });
  const ports = await Promise.all(
    workers.map(
      (worker) =>
        new Promise<number>((resolve, reject) => {
          worker.on('message', (message: { benchListening?: number }) => message.benchListening && resolve(message.benchListening));
          worker.once('exit', (code) => reject(new Error(`worker exited with code ${code} before listening`)));
        }),
    ),
  );
  process.once('SIGTERM', () => {
    for (const worker of workers) worker.process.kill('SIGTERM');
    void Promise.all(workers.map((worker) => new Promise((resolve) => worker.once('exit', resolve)))).then(() => process.exit(0));
  });
  process.stdout.write(`${JSON.stringify({ port: ports[0] })}\n`);
}

/**
 * The locker of a worker: the primary's, over the cluster's IPC channel.
 *
 * @example
 * ```ts
 * const tus = createTus({ store, locker: await workerLocker() });
 * ```
 */
export async function workerLocker(): Promise<Locker> {
  const { ClusterLocker } = await import('@tuskit/example-server/cluster');
  return new ClusterLocker(process);
}
