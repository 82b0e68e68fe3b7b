import { execFile, spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { chown, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from './ports.js';
import { untilOutput } from './ready-line.js';
import { TOOLS, commandAvailability, describeWithTool } from './tools.js';

const LOOPBACK = '127.0.0.1';
const OUTPUT_TAIL_CHARS = 4_000;
/** The superuser initdb creates; trust authentication on loopback only. */
const SUPERUSER = 'tuskit';

const run = promisify(execFile);

type Env = Readonly<Record<string, string | undefined>>;

/** Where the PostgreSQL server binaries are. */
export type PostgresAvailability = { readonly available: true; readonly binDir: string } | { readonly available: false; readonly reason: string };

/** A PostgreSQL server started by {@link startPostgres}. */
export interface RunningPostgres {
  /** `postgres://tuskit@127.0.0.1:<port>/postgres`: the server's own database, for administration. */
  readonly url: string;
  readonly port: number;
  /** Creates an empty database and returns its URL. */
  createDatabase(): Promise<string>;
  /** Stops the server (SIGINT: fast shutdown) and deletes its directory; safe to call twice. */
  stop(): Promise<void>;
}

/**
 * Looks for Debian's PostgreSQL server binaries (`initdb`, `postgres`):
 * `TUSKIT_POSTGRES_BIN` when set, else the newest `/usr/lib/postgresql/<n>/bin`.
 *
 * @example
 * const postgres = postgresAvailability();
 * if (!postgres.available) console.log(postgres.reason);
 */
export function postgresAvailability(env: Env = process.env): PostgresAvailability {
  const binDir = env.TUSKIT_POSTGRES_BIN?.trim() || newestDebianBinDir();
  if (binDir === undefined) return { available: false, reason: 'no PostgreSQL server binaries in /usr/lib/postgresql/*/bin' };
  const probe = commandAvailability(join(binDir, 'postgres'), ['--version']);
  return probe.available ? { available: true, binDir } : probe;
}

/**
 * `describe` for suites that need PostgreSQL: {@link describeWithTool} for
 * it (skipped with a printed reason without it, a failure in CI).
 *
 * @example
 * describeWithPostgres(postgresAvailability(), 'catalog on Postgres', () => {
 *   let postgres: RunningPostgres;
 *   beforeAll(async () => { postgres = await startPostgres(); });
 *   afterAll(() => postgres?.stop());
 * });
 */
export function describeWithPostgres(postgres: PostgresAvailability, name: string, body: () => void): void {
  describeWithTool(TOOLS.postgres, postgres, name, body);
}

/**
 * Starts a throwaway PostgreSQL server: `initdb` in a fresh temporary
 * directory, then `postgres` on a free loopback port without durability
 * (fsync off: the data dies with the test run). PostgreSQL refuses to run as
 * root, so as root both run as the `postgres` user (or `nobody`), owning the
 * directory (then under `/tmp`, which every user can reach). Resolves once the server accepts connections.
 *
 * @example
 * const postgres = await startPostgres();
 * const url = await postgres.createDatabase(); // postgres://tuskit@127.0.0.1:…/t_…
 * await postgres.stop();
 */
export async function startPostgres(availability = postgresAvailability()): Promise<RunningPostgres> {
  if (!availability.available) throw new Error(`PostgreSQL: ${availability.reason}`);
  const { binDir } = availability;
  const user = unprivilegedUser();
  // The unprivileged user must reach its directory: the run's own TMPDIR may be private to root.
  const directory = await mkdtemp(join(user ? '/tmp' : tmpdir(), 'tuskit-postgres-'));
  if (user) await chown(directory, user.uid, user.gid);
  const spawnAs: { uid?: number; gid?: number; stdio: ['ignore', 'pipe', 'pipe'] } = { ...user, stdio: ['ignore', 'pipe', 'pipe'] };
  const data = join(directory, 'data');
  const init = spawnSync(join(binDir, 'initdb'), ['-D', data, '-U', SUPERUSER, '-A', 'trust', '-E', 'UTF8', '--locale=C', '--no-sync'], {
    ...spawnAs,
    encoding: 'utf8',
  });
  if (init.status !== 0) {
    await rm(directory, { recursive: true, force: true });
    throw new Error(`initdb failed (${init.error?.message ?? `exit code ${init.status}`}):\n${`${init.stdout}${init.stderr}`.slice(-OUTPUT_TAIL_CHARS)}`);
  }
  const port = await freePort();
  const settings = ['-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off', '-c', 'max_connections=200'];
  const child = spawn(join(binDir, 'postgres'), ['-D', data, '-h', LOOPBACK, '-p', String(port), '-k', directory, ...settings], spawnAs);
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async () => {
    process.off('exit', killOnExit);
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGINT');
    await exited;
    await rm(directory, { recursive: true, force: true });
  };
  try {
    await untilOutput(child, { name: 'postgres', line: 'database system is ready to accept connections', timeoutMs: 30_000 });
  } catch (error) {
    child.kill('SIGKILL');
    await stop();
    throw error;
  }
  const base = `postgres://${SUPERUSER}@${LOOPBACK}:${port}`;
  let databases = 0;
  return {
    url: `${base}/postgres`,
    port,
    async createDatabase() {
      const name = `t_${process.pid}_${++databases}_${Date.now().toString(36)}`;
      await run(join(binDir, 'psql'), ['-h', LOOPBACK, '-p', String(port), '-U', SUPERUSER, '-d', 'postgres', '-qc', `CREATE DATABASE ${name}`]);
      return `${base}/${name}`;
    },
    stop,
  };
}

function newestDebianBinDir(): string | undefined {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root).filter((name) => /^\d+$/.test(name)).sort((a, b) => Number(b) - Number(a));
  return versions.map((version) => join(root, version, 'bin')).find((dir) => existsSync(join(dir, 'initdb')));
}

/** As root: the `postgres` user, else `nobody`; as anyone else: themselves (`undefined`). */
function unprivilegedUser(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  for (const name of ['postgres', 'nobody']) {
    const ids = spawnSync('id', ['-u', name], { encoding: 'utf8' });
    const groups = spawnSync('id', ['-g', name], { encoding: 'utf8' });
    if (ids.status === 0 && groups.status === 0) return { uid: Number(ids.stdout.trim()), gid: Number(groups.stdout.trim()) };
  }
  throw new Error('running as root, and neither a postgres nor a nobody user exists to run PostgreSQL as');
}
