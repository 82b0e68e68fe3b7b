import { startService } from './container.js';
import { fakeGcsImageFromEnv, networkModeFromEnv } from './env.js';
import type { NetworkMode } from './env.js';
import { uniqueBucketName } from './names.js';
import { HEALTH_PATHS } from './outage.js';

const FAKE_GCS_PORT = 4443;
const DEFAULT_PROJECT_ID = 'tuskit-test';

/** Options for {@link startFakeGcs}; every field has an environment-driven default. */
export interface FakeGcsOptions {
  /** Defaults to `TUSKIT_FAKE_GCS_IMAGE`, then `fsouza/fake-gcs-server`. */
  readonly image?: string;
  /** Defaults to `TUSKIT_CONTAINER_NETWORK` (`host`), otherwise bridge with a mapped port. */
  readonly network?: NetworkMode;
  /** Reported back as `projectId`; fake-gcs-server accepts any project. */
  readonly projectId?: string;
  readonly startupTimeoutMs?: number;
  /**
   * `memory` (default), or `filesystem`: objects are kept in the container's
   * filesystem, so they survive a stop and start of the container (see
   * {@link backendOutage}).
   */
  readonly backend?: 'memory' | 'filesystem';
}

/** A running fake-gcs-server speaking the GCS JSON API over plain HTTP. */
export interface GcsTarget {
  /** `http://127.0.0.1:<port>` in host mode; JSON API under `/storage/v1`, uploads under `/upload/storage/v1`. */
  readonly endpoint: string;
  readonly projectId: string;
  readonly containerId: string;
  /** Stops and removes the container; safe to call twice. */
  stop(): Promise<void>;
}

/**
 * Starts fake-gcs-server (in-memory unless `backend: 'filesystem'`) and waits for
 * `/storage/v1/b`. Its public host and external URL are the endpoint itself,
 * so the URLs it hands out (resumable-upload Locations, media links) point
 * back at the port tests connect to.
 *
 * @example
 * const gcs = await startFakeGcs();
 * const bucket = await createGcsBucket(gcs);
 * await fetch(`${gcs.endpoint}/upload/storage/v1/b/${bucket}/o?uploadType=media&name=a.txt`, {
 *   method: 'POST',
 *   body: 'hello',
 * });
 * await gcs.stop();
 */
export async function startFakeGcs(options: FakeGcsOptions = {}): Promise<GcsTarget> {
  const service = await startService({
    image: options.image ?? fakeGcsImageFromEnv(),
    network: options.network ?? networkModeFromEnv(),
    containerPort: FAKE_GCS_PORT,
    healthPath: HEALTH_PATHS.fakeGcs,
    command: ({ bindHost, bindPort, publicHost, publicPort }) => [
      '-scheme', 'http',
      '-host', bindHost,
      '-port', String(bindPort),
      '-backend', options.backend ?? 'memory',
      // Requests are routed by Host header: it must equal what clients send.
      '-public-host', `${publicHost}:${publicPort}`,
      '-external-url', `http://${publicHost}:${publicPort}`,
      '-log-level', 'warn',
    ],
    ...(options.startupTimeoutMs === undefined ? {} : { startupTimeoutMs: options.startupTimeoutMs }),
  });
  return {
    endpoint: service.endpoint,
    projectId: options.projectId ?? DEFAULT_PROJECT_ID,
    containerId: service.containerId,
    stop: service.stop,
  };
}

/**
 * Creates a bucket through the JSON API (a fresh unique name by default) and returns its name.
 *
 * @example
 * const bucket = await createGcsBucket(gcs, 'uploads');
 */
export async function createGcsBucket(
  target: Pick<GcsTarget, 'endpoint' | 'projectId'>,
  name: string = uniqueBucketName(),
): Promise<string> {
  const url = `${target.endpoint}/storage/v1/b?project=${encodeURIComponent(target.projectId)}`;
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name }),
  });
  if (!response.ok) {
    throw new Error(`creating GCS bucket ${name} failed: ${response.status} ${await response.text()}`);
  }
  await response.body?.cancel();
  return name;
}
