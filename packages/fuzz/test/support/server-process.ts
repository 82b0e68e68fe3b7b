import { fork, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createTus, type Tus } from '@tuskit/core';
import { FileStore } from '@tuskit/store-fs';

/** Settings handed to the child server (see server.mjs). */
export interface ServerConfig {
  storeDir: string;
  basePath: string;
  apiKey: string;
  idleTimeoutMs: number;
  lockTimeoutMs: number;
  headersTimeoutMs: number;
  keepAliveTimeoutMs: number;
  connectionsCheckingIntervalMs: number;
}

/** A snapshot of the child's resources. */
export interface ServerStats {
  connections: number;
  fds: number;
  /** Of those, files in the store directory (the store keeps data files open between PATCHes). */
  storeFds: number;
  rss: number;
  /** V8 heap in use right after a full GC. */
  heapUsed: number;
  resources: string[];
}

/** What the child tells the parent. */
export type ServerMessage =
  | { type: 'listening'; port: number }
  | { type: 'crash'; kind: string; message: string }
  | { type: 'onError'; message: string }
  | { type: 'hook'; name: string; id: string }
  | { type: 'idle'; id: number }
  | ({ type: 'stats'; id: number } & ServerStats);

/** What the parent asks the child. */
export type ParentMessage = { type: 'stats'; id: number } | { type: 'idle'; id: number } | { type: 'shutdown' };

/** Options of {@link startServer}; everything but the temp dirs has a test-sized default. */
export type ServerOptions = Partial<Omit<ServerConfig, 'storeDir' | 'basePath' | 'apiKey'>>;

const SERVER_SCRIPT = fileURLToPath(new URL('./server.mjs', import.meta.url));
export const BASE_PATH = '/v1/uploads';
export const API_KEY = 'fuzz-0123456789abcdef';

/**
 * The core served by a child process over loopback, with an fs store in a
 * fresh temp dir (`root/store`). Crashes and `onError` reports are collected
 * so every check can assert there were none.
 */
export class ServerProcess {
  readonly crashes: string[] = [];
  readonly errors: string[] = [];
  /** Hook calls by hook name, then upload id: how many times each fired. */
  readonly hooks = new Map<string, Map<string, number>>();
  #exited: Promise<number | null>;
  #host: Tus | undefined;
  #lastId = 0;
  #pending = new Map<number, (message: ServerMessage) => void>();

  private constructor(
    readonly child: ChildProcess,
    readonly port: number,
    readonly root: string,
    readonly config: ServerConfig,
  ) {
    this.#exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
    child.on('message', (message: ServerMessage) => {
      if (message.type === 'crash') this.crashes.push(`${message.kind}: ${message.message}`);
      if (message.type === 'onError') this.errors.push(message.message);
      if (message.type === 'hook') this.#countHook(message.name, message.id);
      if (message.type === 'stats' || message.type === 'idle') this.#pending.get(message.id)?.(message);
    });
  }

  /** Forks the server and resolves once it listens. */
  static async start(options: ServerOptions = {}): Promise<ServerProcess> {
    const root = await mkdtemp(join(tmpdir(), 'tuskit-fuzz-'));
    const config: ServerConfig = {
      storeDir: join(root, 'store'),
      basePath: BASE_PATH,
      apiKey: API_KEY,
      idleTimeoutMs: 1000,
      lockTimeoutMs: 1000,
      headersTimeoutMs: 2000,
      keepAliveTimeoutMs: 5000,
      connectionsCheckingIntervalMs: 250,
      ...options,
    };
    const child = fork(SERVER_SCRIPT, {
      execArgv: ['--expose-gc'],
      env: { ...process.env, FUZZ_SERVER_CONFIG: JSON.stringify(config) },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const port = await new Promise<number>((resolve, reject) => {
      child.once('error', reject);
      child.once('exit', (code) => reject(new Error(`fuzz server exited with ${code} before listening`)));
      child.on('message', (message: ServerMessage) => {
        if (message.type === 'listening') resolve(message.port);
      });
    });
    return new ServerProcess(child, port, root, config);
  }

  /** True while the child runs. */
  get alive(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Pre-allocates an upload the way a host does (its own engine over the same store directory). */
  async createUpload(id: string, size: number): Promise<void> {
    this.#host ??= createTus({ store: new FileStore({ directory: this.config.storeDir }), basePath: BASE_PATH });
    await this.#host.createUpload({ id, size, origin: `http://127.0.0.1:${this.port}` });
  }

  /** Asks the child for its open connections, fds, RSS and active resources. */
  async stats(): Promise<ServerStats> {
    return (await this.#ask('stats', 5000)) as ServerStats;
  }

  /** Resolves once the child has no open connection; rejects after `timeoutMs`. */
  async idle(timeoutMs: number): Promise<void> {
    await this.#ask('idle', timeoutMs);
  }

  #ask(type: 'stats' | 'idle', timeoutMs: number): Promise<ServerMessage> {
    const id = ++this.#lastId;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(id);
        reject(new Error(`fuzz server did not answer '${type}' within ${timeoutMs} ms`));
      }, timeoutMs);
      this.#pending.set(id, (message) => {
        clearTimeout(timer);
        this.#pending.delete(id);
        resolve(message);
      });
      this.child.send({ type, id } satisfies ParentMessage);
    });
  }

  /** How many times `hook` fired for `id` (call {@link stats} first: it flushes the message channel). */
  hookCount(hook: string, id: string): number {
    return this.hooks.get(hook)?.get(id) ?? 0;
  }

  #countHook(hook: string, id: string): void {
    const counts = this.hooks.get(hook) ?? new Map<string, number>();
    counts.set(id, (counts.get(id) ?? 0) + 1);
    this.hooks.set(hook, counts);
  }

  /** Graceful shutdown (tus.close, server.close), then removes the temp dir. */
  async stop(): Promise<number | null> {
    if (this.alive) this.child.send({ type: 'shutdown' } satisfies ParentMessage);
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 10_000);
    const code = await this.#exited;
    clearTimeout(timer);
    await rm(this.root, { recursive: true, force: true });
    return code;
  }
}
