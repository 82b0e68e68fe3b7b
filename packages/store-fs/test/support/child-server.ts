import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const SCRIPT = fileURLToPath(new URL('./child-server.mjs', import.meta.url));

/** A tus server over the fs store in a child process, and what it reports. */
export interface ChildServer {
  child: ChildProcess;
  origin: string;
  /** Resolves once the server has read at least `offset` bytes of a PATCH. */
  progressed(offset: number): Promise<void>;
  /** Largest RSS reported with a progress line. */
  peakRss(): number;
  kill(): Promise<void>;
}

/** Starts the child server on a data directory. */
export async function startChildServer(directory: string, env: Record<string, string> = {}): Promise<ChildServer> {
  const child = spawn(process.execPath, [SCRIPT], {
    env: { ...process.env, DATA_DIR: directory, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const waiters: Array<{ offset: number; resolve: () => void }> = [];
  let peak = 0;
  const port = await new Promise<number>((resolve, reject) => {
    child.once('exit', () => reject(new Error('child server exited')));
    createInterface({ input: child.stdout! }).on('line', (line) => {
      const [word, value, rss] = line.split(' ');
      if (word === 'listening') resolve(Number(value));
      if (word !== 'progress') return;
      peak = Math.max(peak, Number(rss));
      for (const waiter of waiters.filter((w) => Number(value) >= w.offset)) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve();
      }
    });
  });
  return {
    child,
    origin: `http://127.0.0.1:${port}`,
    progressed: (offset) => new Promise<void>((resolve) => waiters.push({ offset, resolve })),
    peakRss: () => peak,
    kill: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGKILL');
      await exited;
    },
  };
}
