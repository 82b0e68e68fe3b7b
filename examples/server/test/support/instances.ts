// Reference servers as separate processes (`node dist/main.js`), as a deployment runs them: they can be SIGKILLed.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { LineLog } from './lines.js';
import { ApiClient } from './server.js';

const MAIN = fileURLToPath(new URL('../../dist/main.js', import.meta.url));

/** One `node dist/main.js` process. */
export interface Instance {
  readonly name: string;
  readonly url: string;
  readonly api: ApiClient;
  readonly child: ChildProcess;
  /** Sends `signal` and resolves once the process has exited. */
  stop(signal?: NodeJS.Signals): Promise<void>;
}

/**
 * Starts `node dist/main.js` with `env` on a free port and resolves once it
 * prints its ready line. Everything it prints goes to `log`, prefixed with
 * `name`, so that one log can be awaited for an event of any instance.
 * With `namespace`, it runs in that network namespace (`ip netns exec`, which
 * execs: the child is the server itself).
 */
export async function startInstance(name: string, env: Record<string, string>, log: LineLog, namespace?: string): Promise<Instance> {
  if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: build first (pnpm -r build, or npm test at the root)`);
  const [command, args] = namespace ? ['ip', ['netns', 'exec', namespace, process.execPath, MAIN]] : [process.execPath, [MAIN]];
  // One process per instance unless `env` says otherwise (WORKERS defaults to the cores).
  const child = spawn(command, args, { env: { WORKERS: '1', ...process.env, ...env, PORT: '0' }, stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = once(child, 'exit');
  const own = new LineLog();
  for (const stream of [child.stdout, child.stderr]) {
    createInterface({ input: stream! }).on('line', (line) => {
      own.push(line);
      log.push(`${name}: ${line}`);
    });
  }
  child.once('exit', () => own.end());
  const [, url = ''] = await own.waitFor(/ready at (http:\/\/\S+) /);
  return {
    name,
    url,
    api: new ApiClient(url, env.API_KEY ?? ''),
    child,
    async stop(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      await exited;
    },
  };
}

/** The same upload URL on another instance (every instance serves every upload). */
export function on(instance: Instance, uploadUrl: string): string {
  const url = new URL(uploadUrl);
  return `${instance.url}${url.pathname}`;
}
