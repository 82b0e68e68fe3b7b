import { isDockerRequired } from './env.js';
import { containerRuntime } from './runtime.js';
import { describeWithService } from './suites.js';

const PROBE_TIMEOUT_MS = 15_000;

/** Whether suites can start containers, and whether they must. */
export type DockerAvailability =
  | { readonly available: true; readonly required: boolean }
  | { readonly available: false; readonly required: boolean; readonly reason: string };

let probe: Promise<DockerAvailability> | undefined;

/**
 * Probes the container runtime once per process (testcontainers' discovery:
 * DOCKER_HOST, ~/.testcontainers.properties, the default socket, ...).
 * `required` comes from `TUSKIT_REQUIRE_DOCKER` / `CI`, see {@link isDockerRequired}.
 *
 * @example
 * const docker = await dockerAvailability();
 * if (!docker.available) console.log(docker.reason);
 */
export function dockerAvailability(): Promise<DockerAvailability> {
  probe ??= probeDocker();
  return probe;
}

async function probeDocker(): Promise<DockerAvailability> {
  const required = isDockerRequired();
  try {
    await withTimeout(containerRuntime(), PROBE_TIMEOUT_MS);
    return { available: true, required };
  } catch (error) {
    return { available: false, required, reason: `no usable container runtime (${errorMessage(error)})` };
  }
}

/**
 * `describe` for suites that need containers. With Docker it is a plain
 * `describe`. Without Docker the suite is skipped with a printed reason, unless
 * Docker is required (CI), in which case it registers one failing test instead
 * of silently running nothing.
 *
 * @example
 * const docker = await dockerAvailability(); // top-level await in the test file
 * describeWithDocker(docker, 'S3 store against MinIO', () => {
 *   let s3: S3Target;
 *   beforeAll(async () => { s3 = await startMinio({ bucket: 'uploads' }); });
 *   afterAll(() => s3?.stop());
 *   it('stores bytes', async () => { ... });
 * });
 */
export function describeWithDocker(docker: DockerAvailability, name: string, body: () => void): void {
  describeWithService(docker, { service: 'Docker', requireVariable: 'TUSKIT_REQUIRE_DOCKER', setup: 'source .ci/prepare-backends.sh' }, name, body);
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
