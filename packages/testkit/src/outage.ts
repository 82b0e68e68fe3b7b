import { DEFAULT_STARTUP_TIMEOUT_MS } from './container.js';
import { HttpPollWaitStrategy } from './http-wait.js';
import { containerRuntime } from './runtime.js';

/**
 * How a backend goes away: `stop` kills the server (new connections are
 * refused at once, open ones are reset) and starts the same container again,
 * so it keeps its data and its port; `pause` freezes it (connections hang
 * until it is unpaused, nothing is lost, even in memory).
 */
export type OutageKind = 'stop' | 'pause';

/** A started backend container that can be taken down and brought back. */
export interface OutageTarget {
  readonly endpoint: string;
  /** Absent for an external endpoint, which cannot be taken down. */
  readonly containerId?: string;
}

/** Options of {@link backendOutage}. */
export interface BackendOutageOptions {
  /** Path polled after {@link BackendOutage.end} until it answers 2xx. */
  readonly healthPath: string;
  /** Default `stop`. */
  readonly kind?: OutageKind;
  /** How long the backend may take to answer again. Default 120 s. */
  readonly startupTimeoutMs?: number;
}

/** Takes one backend down and brings it back. */
export interface BackendOutage {
  /** Resolves once the backend no longer answers. */
  begin(): Promise<void>;
  /** Resolves once the backend answers its health check again. */
  end(): Promise<void>;
}

/**
 * The health paths of the backends the kit starts.
 *
 * @example
 * await fetch(`${s3.endpoint}${HEALTH_PATHS.minio}`); // 200 while MinIO is up
 */
export const HEALTH_PATHS = {
  minio: '/minio/health/live',
  fakeGcs: '/storage/v1/b',
} as const;

/**
 * An outage of a backend container started by the kit ({@link startMinio},
 * {@link startFakeGcs}). A stopped container keeps its filesystem, so MinIO
 * and fake-gcs-server with `backend: 'filesystem'` come back with every
 * object they acknowledged; use `kind: 'pause'` for an in-memory backend.
 *
 * @example
 * const outage = backendOutage(s3, { healthPath: HEALTH_PATHS.minio });
 * await outage.begin();
 * // ... requests now fail ...
 * await outage.end();
 */
export function backendOutage(target: OutageTarget, options: BackendOutageOptions): BackendOutage {
  const { containerId } = target;
  if (containerId === undefined) throw new Error(`${target.endpoint} is not a container the kit started: it cannot be taken down`);
  const kind = options.kind ?? 'stop';
  const container = async () => {
    const client = await containerRuntime();
    return { client, found: client.container.getById(containerId) };
  };
  return {
    async begin() {
      const { client, found } = await container();
      if (kind === 'pause') await found.pause();
      else await client.container.stop(found, { timeout: 0 });
    },
    async end() {
      const { client, found } = await container();
      if (kind === 'pause') await found.unpause();
      else await client.container.start(found);
      await new HttpPollWaitStrategy(`${target.endpoint}${options.healthPath}`)
        .withStartupTimeout(options.startupTimeoutMs ?? DEFAULT_STARTUP_TIMEOUT_MS)
        .waitUntilReady(found);
    },
  };
}
