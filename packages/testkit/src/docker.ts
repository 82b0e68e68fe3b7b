import { containerRuntime } from './runtime.js';
import { TOOLS, describeWithTool, type ToolAvailability } from './tools.js';

const PROBE_TIMEOUT_MS = 15_000;

/** Whether suites can start containers. */
export type DockerAvailability = ToolAvailability;

let probe: Promise<DockerAvailability> | undefined;

/**
 * Probes the container runtime once per process (testcontainers' discovery:
 * DOCKER_HOST, ~/.testcontainers.properties, the default socket, ...).
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
  try {
    await withTimeout(containerRuntime(), PROBE_TIMEOUT_MS);
    return { available: true };
  } catch (error) {
    return { available: false, reason: `no usable container runtime: ${errorMessage(error)}` };
  }
}

/**
 * `describe` for suites that need containers: {@link describeWithTool} for
 * Docker (skipped with a printed reason without it, a failure in CI).
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
  describeWithTool(TOOLS.docker, docker, name, body);
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
