import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

/** Options of {@link startChildServer}. */
export interface ChildServerOptions {
  /** The script to run, e.g. `new URL('./child-server.mjs', import.meta.url)`; it calls `serveInChild` of `@tuskit/testkit/child-tus`. */
  script: URL;
  /** Added to the child's environment: how the script reaches its backend. */
  env: Record<string, string>;
}

/** The tus server of a store's `child-server.mjs`, running in a child process. */
export interface ChildServer {
  readonly child: ChildProcess;
  /** e.g. `http://127.0.0.1:40123` */
  readonly origin: string;
  /** Resolves once the server has read at least `offset` bytes of the current PATCH. */
  progressed(offset: number): Promise<void>;
  /** RSS reported at start-up. */
  readonly startRss: number;
  /** The largest RSS reported since the last call (or since start-up). */
  takePeakRss(): number;
  /** SIGKILLs the process and resolves once it has exited. */
  kill(): Promise<void>;
}

/**
 * Starts a store's child server script and waits for its `listening` line.
 * The store package must be built: the script imports its `dist`.
 *
 * @example
 * ```ts
 * const script = new URL('./child-server.mjs', import.meta.url);
 * const server = await startChildServer({ script, env: { KEY_PREFIX: 'crash/' } });
 * ```
 */
export async function startChildServer({ script, env }: ChildServerOptions): Promise<ChildServer> {
  const child = spawn(process.execPath, [fileURLToPath(script)], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const waiters = new Set<{ offset: number; resolve: () => void }>();
  let peak = 0;
  const started = new Promise<[number, number]>((resolve, reject) => {
    child.once('exit', (code, signal) => reject(new Error(`child server exited early (${code ?? signal})`)));
    createInterface({ input: child.stdout! }).on('line', (line) => {
      const [word, first, rss] = line.split(' ').map((part, i) => (i === 0 ? part : Number(part))) as [string, number, number];
      peak = Math.max(peak, rss);
      if (word === 'listening') resolve([first, rss]);
      if (word !== 'progress') return;
      for (const waiter of [...waiters].filter((w) => first >= w.offset)) {
        waiters.delete(waiter);
        waiter.resolve();
      }
    });
  });
  const [port, startRss] = await started;
  return {
    child,
    origin: `http://127.0.0.1:${port}`,
    startRss,
    progressed: (offset) => new Promise<void>((resolve) => waiters.add({ offset, resolve })),
    takePeakRss: () => {
      const result = peak;
      peak = 0;
      return result;
    },
    kill: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = once(child, 'exit');
      child.kill('SIGKILL');
      await exited;
    },
  };
}
