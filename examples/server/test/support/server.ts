// A started reference server on an ephemeral port with a small client for its REST API.
import { watch } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeWithDocker } from '@tuskit/testkit';
import { afterAll, afterEach, beforeAll, describe, expect } from 'vitest';
import { databaseUrlForTest } from './databases.js';
import { LineLog } from './lines.js';
import { docker, stopBackends, storeUnderTest, type StoreUnderTest } from './stores.js';
import { startServer, type AssetJson, type Framework, type RunningServer, type ServerOptions, type StoreKind } from '../../src/index.js';

export const FRAMEWORK_NAMES: Framework[] = ['express', 'koa'];

/** A framework over a store. */
export interface ServerCase {
  framework: Framework;
  store: StoreKind;
}

/**
 * Where the end-to-end clients run: Express over every store, Koa over fs.
 * The adapters do not touch the store, so Koa over S3 and GCS would double
 * the slowest suites on a 2-core CI without reaching new code.
 */
export const CLIENT_MATRIX: readonly ServerCase[] = [
  { framework: 'express', store: 'fs' },
  { framework: 'koa', store: 'fs' },
  { framework: 'express', store: 's3' },
  { framework: 'express', store: 'gcs' },
  { framework: 'express', store: 'azure' },
];

/** A JSON answer. */
export interface JsonAnswer<T = any> {
  status: number;
  headers: Headers;
  body: T;
}

/** A project as the API returns it. */
export interface ProjectJson {
  id: string;
  name: string | null;
  created_at: string;
}

/** The server, its data directory and what it logged as errors. */
export interface TestServer {
  server: RunningServer;
  dataDir: string;
  /** Everything logged through `logger.error`: a test expects none unless it provokes them. */
  errors: unknown[];
  /** Everything logged through `logger.info`. */
  log: LineLog;
  api: ApiClient;
  /** Starts a new server on the same data directory (after `server.close()`). */
  restart(options?: ServerOptions): Promise<TestServer>;
  /** Closes the server and deletes its data directory. */
  dispose(): Promise<void>;
}

/** A {@link TestServer} shared by a suite, with a project to create assets in. */
export interface SuiteServer extends Omit<TestServer, 'restart' | 'dispose'> {
  project: ProjectJson;
  /** The store the server runs on, and its backend seen from outside. */
  store: StoreUnderTest;
}

/**
 * Registers the hooks of a suite that shares one server on `storeKind`:
 * started (with a project) before its tests, disposed after them, and
 * checked after each test for logged errors.
 */
export function suiteServer(framework: Framework, options: ServerOptions = {}, storeKind: StoreKind = 'fs'): SuiteServer {
  let current: (TestServer & Pick<SuiteServer, 'project' | 'store'>) | undefined;
  beforeAll(async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'tuskit-api-'));
    const store = await storeUnderTest(storeKind, dataDir);
    const started = await startTestServer(framework, { ...options, dataDir, store: store.store });
    current = Object.assign(started, { project: await started.api.createProject(), store });
  });
  afterAll(() => current?.dispose());
  afterEach(() => expect(current?.errors).toEqual([]));
  const started = () => {
    if (!current) throw new Error('the suite server has not started');
    return current;
  };
  return {
    get server() { return started().server; },
    get dataDir() { return started().dataDir; },
    get errors() { return started().errors; },
    get log() { return started().log; },
    get api() { return started().api; },
    get project() { return started().project; },
    get store() { return started().store; },
  };
}

/**
 * A suite per case, each sharing a {@link suiteServer} of its framework and
 * store, named "`title` on express over s3". Suites over S3 and GCS need
 * Docker (see `describeWithDocker`); Azure's Azurite is an npm package. The
 * backends they start stop after the suites registered here.
 */
export function describeOnServers(
  cases: readonly ServerCase[],
  title: string,
  body: (t: SuiteServer, on: ServerCase) => void,
): void {
  afterAll(stopBackends);
  for (const on of cases) {
    const suite = () => body(suiteServer(on.framework, {}, on.store), on);
    const name = `${title} on ${on.framework} over ${on.store}`;
    if (on.store === 'fs' || on.store === 'azure') describe(name, suite);
    else describeWithDocker(docker, name, suite);
  }
}

/**
 * Starts the server for one framework with a fresh data directory (or the
 * given one), the run's database (SQLite in the data directory, or a fresh
 * PostgreSQL database in the TEST_DATABASE=postgres run) and a logger that
 * records errors.
 */
export async function startTestServer(framework: Framework, options: ServerOptions = {}): Promise<TestServer> {
  const dataDir = options.dataDir ?? (await mkdtemp(join(tmpdir(), 'tuskit-api-')));
  const databaseUrl = options.databaseUrl ?? (await databaseUrlForTest());
  const errors: unknown[] = [];
  const log = new LineLog();
  const server = await startServer({
    port: 0,
    framework,
    apiKey: 'test-key',
    ...options,
    dataDir,
    databaseUrl,
    logger: { info: (line) => log.push(line), error: (message, error) => errors.push(error ?? message) },
  });
  return {
    server,
    dataDir,
    errors,
    log,
    api: new ApiClient(server.url, server.apiKey),
    restart: (more = {}) => startTestServer(framework, { ...options, ...more, dataDir, databaseUrl }),
    async dispose() {
      await server.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** A fetch-based client of the REST API and of raw TUS requests. */
export class ApiClient {
  readonly url: string;
  readonly apiKey: string;

  constructor(url: string, apiKey: string) {
    this.url = url;
    this.apiKey = apiKey;
  }

  get auth(): Record<string, string> {
    return { authorization: `Bearer ${this.apiKey}` };
  }

  /** A REST call; a non-string `body` is sent as JSON. */
  async call(method: string, path: string, init: { body?: unknown; headers?: Record<string, string>; auth?: boolean } = {}): Promise<JsonAnswer> {
    const headers: Record<string, string> = { ...(init.auth === false ? {} : this.auth), ...init.headers };
    let body: string | undefined;
    if (init.body !== undefined) {
      body = typeof init.body === 'string' ? init.body : JSON.stringify(init.body);
      headers['content-type'] ??= 'application/json';
    }
    const response = await fetch(new URL(path, this.url), { method, headers, body });
    const text = await response.text();
    return { status: response.status, headers: response.headers, body: text ? JSON.parse(text) : undefined };
  }

  async createProject(name = 'Test project'): Promise<ProjectJson> {
    const answer = await this.call('POST', '/v1/projects', { body: { name } });
    if (answer.status !== 201) throw new Error(`POST /v1/projects: ${answer.status} ${JSON.stringify(answer.body)}`);
    return answer.body;
  }

  /** Creates an asset for `size` bytes; returns it with its upload URL (`Location`). */
  async createAsset(projectId: string, size: number, language?: string): Promise<{ asset: AssetJson; location: string }> {
    const answer = await this.call('POST', '/v1/assets', { body: { project_id: projectId, size_bytes: size, language } });
    if (answer.status !== 201) throw new Error(`POST /v1/assets: ${answer.status} ${JSON.stringify(answer.body)}`);
    return { asset: answer.body, location: answer.headers.get('location') ?? '' };
  }

  async asset(id: string): Promise<JsonAnswer<AssetJson>> {
    return this.call('GET', `/v1/assets/${id}`);
  }

  /** One TUS PATCH of `bytes` at `offset`. */
  patch(uploadUrl: string, offset: number, bytes: Uint8Array, headers: Record<string, string> = {}): Promise<Response> {
    return fetch(uploadUrl, {
      method: 'PATCH',
      headers: {
        ...this.auth,
        'tus-resumable': '1.0.0',
        'upload-offset': String(offset),
        'content-type': 'application/offset+octet-stream',
        ...headers,
      },
      body: bytes,
    });
  }

  /** The upload's offset according to HEAD. */
  async offset(uploadUrl: string): Promise<number> {
    const response = await fetch(uploadUrl, { method: 'HEAD', headers: { ...this.auth, 'tus-resumable': '1.0.0' } });
    if (response.status !== 200) throw new Error(`HEAD ${uploadUrl}: ${response.status}`);
    return Number(response.headers.get('upload-offset'));
  }

  /** Uploads `bytes` from `from` in PATCHes of `chunkSize`, expecting 204 each time. */
  async upload(uploadUrl: string, bytes: Uint8Array, chunkSize = bytes.length, from = 0): Promise<void> {
    for (let offset = from; offset < bytes.length; offset += chunkSize) {
      const response = await this.patch(uploadUrl, offset, bytes.subarray(offset, offset + chunkSize));
      if (response.status !== 204) throw new Error(`PATCH at ${offset}: ${response.status} ${await response.text()}`);
    }
  }
}

/**
 * Resolves once the fs store under `dataDir` holds at least `bytes` bytes of
 * upload `id` (watching the data file, so no polling).
 */
export async function storedBytes(dataDir: string, id: string, bytes: number): Promise<void> {
  const path = join(dataDir, 'uploads', id);
  const size = () => stat(path).then((s) => s.size, () => 0);
  await new Promise<void>((resolve, reject) => {
    const watcher = watch(path, () => void size().then(check));
    watcher.on('error', reject);
    const check = (current: number) => {
      if (current < bytes) return;
      watcher.close();
      resolve();
    };
    void size().then(check);
  });
}

/** Downloads a URL without credentials: status, headers and bytes. */
export async function download(url: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: Headers; bytes: Buffer }> {
  const response = await fetch(url, { headers });
  return { status: response.status, headers: response.headers, bytes: Buffer.from(await response.arrayBuffer()) };
}
