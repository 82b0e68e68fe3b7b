import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { uniqueBucketName } from './names.js';
import type { BackendOutage } from './outage.js';
import { freePort } from './ports.js';
import { untilOutput } from './ready-line.js';

const LOOPBACK = '127.0.0.1';
const READY_LINE = 'successfully listens on';
const STARTUP_TIMEOUT_MS = 30_000;

/**
 * Azurite's well-known development account (published in Azure's docs); it
 * only ever exists inside the emulator.
 *
 * @example
 * new StorageSharedKeyCredential(AZURITE_ACCOUNT.name, AZURITE_ACCOUNT.key);
 */
export const AZURITE_ACCOUNT = {
  name: 'devstoreaccount1',
  key: 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==',
} as const;

/** Options of {@link startAzurite}. */
export interface AzuriteOptions {
  /**
   * `memory` (default): blobs live in the process and die with it; `disk`:
   * in a fresh temporary folder (removed by `stop()`), so they survive
   * {@link azuriteOutage}'s stop and start.
   */
  readonly persistence?: 'memory' | 'disk';
}

/** A running Azurite blob service. */
export interface AzuriteTarget {
  /** The account's blob endpoint, `http://127.0.0.1:<port>/devstoreaccount1`. */
  readonly blobEndpoint: string;
  /** A connection string for `BlobServiceClient.fromConnectionString`. */
  readonly connectionString: string;
  readonly accountName: string;
  readonly accountKey: string;
  readonly port: number;
  /** Process id of the emulator (it changes across an outage). */
  readonly pid: number;
  /** Stops the emulator and removes its folder; safe to call twice. */
  stop(): Promise<void>;
}

/** One run of the emulator's process. */
interface AzuriteProcess {
  child: ChildProcess;
  exited: Promise<void>;
}

/** How to start a target's process again, and its current run. */
interface AzuriteRuns {
  args: string[];
  folder: string;
  current: AzuriteProcess | undefined;
}

const running = new WeakMap<AzuriteTarget, AzuriteRuns>();

/**
 * Starts Azurite's blob service (the `azurite` npm package, no Docker) on a
 * free loopback port, with telemetry off and the API version check skipped
 * (the SDK may speak a newer service version than the emulator knows).
 *
 * @example
 * const azurite = await startAzurite();
 * const service = BlobServiceClient.fromConnectionString(azurite.connectionString);
 * await service.getContainerClient('uploads').create();
 * await azurite.stop();
 */
export async function startAzurite(options: AzuriteOptions = {}): Promise<AzuriteTarget> {
  const port = await freePort();
  const folder = mkdtempSync(join(tmpdir(), 'tuskit-azurite-'));
  const args = [
    azuriteBlobMain(),
    '--blobHost', LOOPBACK,
    '--blobPort', String(port),
    ...(options.persistence === 'disk' ? ['--location', folder] : ['--inMemoryPersistence']),
    '--silent',
    '--disableTelemetry',
    '--skipApiVersionCheck',
    '--loose',
  ];
  const blobEndpoint = `http://${LOOPBACK}:${port}/${AZURITE_ACCOUNT.name}`;
  const state: AzuriteRuns = { args, folder, current: await launch(args, folder) };
  const target: AzuriteTarget = {
    blobEndpoint,
    connectionString:
      `DefaultEndpointsProtocol=http;AccountName=${AZURITE_ACCOUNT.name};AccountKey=${AZURITE_ACCOUNT.key};` +
      `BlobEndpoint=${blobEndpoint};`,
    accountName: AZURITE_ACCOUNT.name,
    accountKey: AZURITE_ACCOUNT.key,
    port,
    get pid() {
      return state.current?.child.pid ?? -1;
    },
    stop: async () => {
      await halt(state.current);
      state.current = undefined;
      rmSync(folder, { recursive: true, force: true });
    },
  };
  running.set(target, state);
  return target;
}

/**
 * Takes a started Azurite down (the process ends: new connections are
 * refused, open ones reset) and brings it back on the same port and folder.
 * Start it with `persistence: 'disk'` to keep the blobs across the outage.
 *
 * @example
 * const outage = azuriteOutage(azurite);
 * await outage.begin();
 * // ... requests now fail ...
 * await outage.end();
 */
export function azuriteOutage(target: AzuriteTarget): BackendOutage {
  const state = running.get(target);
  if (!state) throw new Error(`${target.blobEndpoint} was not started by startAzurite`);
  return {
    async begin() {
      await halt(state.current);
      state.current = undefined;
    },
    async end() {
      state.current ??= await launch(state.args, state.folder);
    },
  };
}

/**
 * A fresh container (a unique name by default); resolves its name.
 *
 * @example
 * const container = await createAzuriteContainer(azurite);
 */
export async function createAzuriteContainer(target: AzuriteTarget, name: string = uniqueBucketName()): Promise<string> {
  const { BlobServiceClient } = await import('@azure/storage-blob');
  await BlobServiceClient.fromConnectionString(target.connectionString).getContainerClient(name).create();
  return name;
}

function azuriteBlobMain(): string {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve('azurite/package.json')), 'dist', 'src', 'blob', 'main.js');
}

/** Starts the emulator in `folder`, where anything it writes (even in memory mode) lands. */
async function launch(args: string[], folder: string): Promise<AzuriteProcess> {
  const child = spawn(process.execPath, args, { cwd: folder, stdio: ['ignore', 'pipe', 'pipe'] });
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  const exited = new Promise<void>((resolve) => child.once('exit', () => (process.off('exit', killOnExit), resolve())));
  try {
    await untilOutput(child, { name: 'Azurite', line: READY_LINE, timeoutMs: STARTUP_TIMEOUT_MS });
  } catch (error) {
    child.kill('SIGKILL');
    await exited;
    throw error;
  }
  return { child, exited };
}

/** SIGTERM lets Azurite close its server (and, on disk, save its database) before exiting. */
async function halt(azurite: AzuriteProcess | undefined): Promise<void> {
  if (!azurite || azurite.child.exitCode !== null || azurite.child.signalCode !== null) return;
  azurite.child.kill('SIGTERM');
  await azurite.exited;
}
