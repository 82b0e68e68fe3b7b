import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';

const START_TIMEOUT_MS = 30_000;

/** A server under test: its own child process on loopback. */
export interface ServerProcess {
  readonly pid: number;
  /** The TUS endpoint (creation URL), e.g. `http://127.0.0.1:40123/files`. */
  readonly endpoint: string;
  /** SIGTERM, then SIGKILL after 10 s; resolves once the process is gone. */
  stop(): Promise<void>;
}

/** How to start a server child. */
export interface LaunchSpec {
  command: string;
  args: readonly string[];
  env?: Record<string, string>;
  basePath: string;
  /**
   * `announce`: the child prints `{"port":N}` on stdout once listening.
   * `{ port }`: the child was told this port; ready once OPTIONS answers.
   */
  ready: 'announce' | { port: number };
}

/**
 * Spawns a server child and resolves once it serves.
 *
 * @example
 * ```ts
 * const server = await startServer({ command: process.execPath, args: ['dist/server.js'], basePath: '/files', ready: 'announce' });
 * ```
 */
export async function startServer(spec: LaunchSpec): Promise<ServerProcess> {
  const child = spawn(spec.command, spec.args, {
    env: { ...process.env, ...spec.env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = once(child, 'exit').then(([code, signal]) => {
    throw new Error(`${spec.command} ${spec.args.join(' ')} exited before serving (${signal ?? code})`);
  });
  exited.catch(() => {});
  try {
    const port = await Promise.race([waitUntilReady(child, spec), exited, timeout(START_TIMEOUT_MS)]);
    return handle(child, `http://127.0.0.1:${port}${spec.basePath}`);
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }
}

async function waitUntilReady(child: ChildProcess, spec: LaunchSpec): Promise<number> {
  const stdout = child.stdout!;
  if (spec.ready === 'announce') {
    for await (const line of createInterface({ input: stdout })) {
      const port = announcedPort(line);
      if (port !== undefined) {
        stdout.resume(); // anything printed later must not fill the pipe and block the child
        return port;
      }
    }
    throw new Error('the server closed stdout without announcing its port');
  }
  stdout.resume();
  const { port } = spec.ready;
  for (;;) {
    const answer = await fetch(`http://127.0.0.1:${port}${spec.basePath}`, { method: 'OPTIONS' }).catch(() => undefined);
    if (answer?.ok) return port;
    await sleep(50);
  }
}

/** The port of a `{"port":N}` line; other output (e.g. `--trace-gc`) is ignored. */
function announcedPort(line: string): number | undefined {
  if (!line.startsWith('{')) return undefined;
  const port = (JSON.parse(line) as { port?: unknown }).port;
  return typeof port === 'number' ? port : undefined;
}

function handle(child: ChildProcess, endpoint: string): ServerProcess {
  const gone = once(child, 'exit');
  return {
    pid: child.pid!,
    endpoint,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await gone;
      clearTimeout(killer);
    },
  };
}

function timeout(ms: number): Promise<never> {
  return sleep(ms, undefined, { ref: false }).then(() => {
    throw new Error(`the server did not start within ${ms} ms`);
  });
}
