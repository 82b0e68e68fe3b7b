import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import type { ChildConfig } from './child-server.js';

const SOURCE = fileURLToPath(new URL('./child-server.ts', import.meta.url));
// Inside the package's node_modules, so that its imports resolve as the package's own.
const BUNDLE = fileURLToPath(new URL('../../node_modules/.cache/store-s3-tests/child-server.mjs', import.meta.url));

let bundled: Promise<unknown> | undefined;

/** Bundles child-server.ts with the store's sources; packages stay imports. */
function bundle(): Promise<unknown> {
  bundled ??= build({
    entryPoints: [SOURCE],
    outfile: BUNDLE,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    logLevel: 'error',
  });
  return bundled;
}

/** One JSON line the child printed. */
export type ChildEvent = { event: string } & Record<string, unknown>;

/** Peak memory of the child since its last reset. */
export interface MemoryReport {
  baseline: { rss: number; arrayBuffers: number };
  peak: { rss: number; arrayBuffers: number };
}

/** A TUS server over the S3 store in a child process (see child-server.ts). */
export class ChildServer {
  readonly events: ChildEvent[] = [];
  origin = '';
  #waiters: Array<() => void> = [];
  readonly #process: ChildProcess;
  readonly #exited: Promise<unknown>;

  private constructor(config: ChildConfig) {
    this.#process = spawn(process.execPath, ['--expose-gc', BUNDLE], {
      env: { ...process.env, CHILD_CONFIG: JSON.stringify(config) },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    this.#exited = once(this.#process, 'exit');
    createInterface({ input: this.#process.stdout! }).on('line', (line) => {
      this.events.push(JSON.parse(line) as ChildEvent);
      for (const wake of this.#waiters.splice(0)) wake();
    });
  }

  static async start(config: ChildConfig): Promise<ChildServer> {
    await bundle();
    const child = new ChildServer(config);
    const listening = await child.waitFor((e) => e.event === 'listening');
    child.origin = String(listening.origin);
    return child;
  }

  /** Resolves with the first event matching `predicate`, past or future; fails once the child is gone. */
  async waitFor(predicate: (event: ChildEvent) => boolean): Promise<ChildEvent> {
    for (;;) {
      const found = this.events.find(predicate);
      if (found) return found;
      const woke = await Promise.race([
        new Promise<'event'>((resolve) => this.#waiters.push(() => resolve('event'))),
        this.#exited.then(() => 'exited' as const),
      ]);
      if (woke === 'exited' && !this.events.some(predicate)) {
        throw new Error(`the child exited; it printed ${JSON.stringify(this.events)}`);
      }
    }
  }

  async create(size: number): Promise<{ id: string; url: string }> {
    const response = await fetch(`${this.origin}/create?size=${size}`, { method: 'POST' });
    return response.json() as Promise<{ id: string; url: string }>;
  }

  /** Forces a GC in the child and starts a new peak measurement. */
  async resetMemory(): Promise<void> {
    await (await fetch(`${this.origin}/memory`, { method: 'POST' })).arrayBuffer();
  }

  async memory(): Promise<MemoryReport> {
    return (await fetch(`${this.origin}/memory`)).json() as Promise<MemoryReport>;
  }

  /** Sends a body to the control handler that buffers it whole. */
  async sendToBufferingHandler(body: Uint8Array): Promise<number> {
    const response = await fetch(`${this.origin}/buffering`, { method: 'POST', body });
    return ((await response.json()) as { length: number }).length;
  }

  async kill(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    if (this.#process.exitCode === null && this.#process.signalCode === null) this.#process.kill(signal);
    await this.#exited;
  }
}
