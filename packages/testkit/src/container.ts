import { GenericContainer, ImageName } from 'testcontainers';
import type { ContainerRuntimeClient, StartedTestContainer } from 'testcontainers';
import type { NetworkMode } from './env.js';
import { HttpPollWaitStrategy } from './http-wait.js';
import { freePort } from './ports.js';
import { containerRuntime } from './runtime.js';

const LOOPBACK = '127.0.0.1';
/** Images with this prefix only exist where .ci/prepare-backends.sh built them. */
const LOCAL_IMAGE_PREFIX = 'tuskit-local/';
export const DEFAULT_STARTUP_TIMEOUT_MS = 120_000;

/** Where the server inside the container listens, and how tests reach it. */
export interface ListenAddress {
  /** Interface the server binds (inside the container, or on the host in host mode). */
  readonly bindHost: string;
  readonly bindPort: number;
  /** Host and port clients use; also what servers must advertise in URLs they hand out. */
  readonly publicHost: string;
  readonly publicPort: number;
}

/** What differs between backends; everything else is shared by {@link startService}. */
export interface ServiceDefinition {
  readonly image: string;
  readonly network: NetworkMode;
  /** Port the server listens on inside the container in bridge mode. */
  readonly containerPort: number;
  /** Path polled until it answers 2xx. */
  readonly healthPath: string;
  readonly command: (listen: ListenAddress) => string[];
  readonly environment?: Readonly<Record<string, string>>;
  readonly startupTimeoutMs?: number;
}

/** A started backend container. */
export interface RunningService {
  /** `http://<publicHost>:<publicPort>` */
  readonly endpoint: string;
  readonly containerId: string;
  /** Stops and removes the container; safe to call twice. */
  stop(): Promise<void>;
}

/**
 * Starts a backend container in host or bridge networking and waits until its
 * health endpoint answers. In both modes the public port is chosen here, so
 * the server can be told its own public URL before it starts.
 *
 * @example
 * const service = await startService({
 *   image: 'tuskit-local/fake-gcs-server:v1.56.1',
 *   network: 'host',
 *   containerPort: 4443,
 *   healthPath: '/storage/v1/b',
 *   command: ({ bindHost, bindPort }) => ['-host', bindHost, '-port', String(bindPort)],
 * });
 * await service.stop();
 */
export async function startService(definition: ServiceDefinition): Promise<RunningService> {
  const client = await containerRuntime();
  await assertImageObtainable(client, definition.image);
  const listen = await chooseListenAddress(client, definition);
  const endpoint = `http://${listen.publicHost}:${listen.publicPort}`;
  const container = await configureContainer(definition, listen)
    .withWaitStrategy(new HttpPollWaitStrategy(`${endpoint}${definition.healthPath}`))
    .withStartupTimeout(definition.startupTimeoutMs ?? DEFAULT_STARTUP_TIMEOUT_MS)
    .start();
  return { endpoint, containerId: container.getId(), stop: () => stopAndRemove(container) };
}

async function chooseListenAddress(
  client: ContainerRuntimeClient,
  definition: ServiceDefinition,
): Promise<ListenAddress> {
  const publicPort = await freePort();
  if (definition.network === 'host') {
    return { bindHost: LOOPBACK, bindPort: publicPort, publicHost: LOOPBACK, publicPort };
  }
  const publicHost = client.info.containerRuntime.host;
  return { bindHost: '0.0.0.0', bindPort: definition.containerPort, publicHost, publicPort };
}

function configureContainer(definition: ServiceDefinition, listen: ListenAddress): GenericContainer {
  const container = new GenericContainer(definition.image)
    .withCommand(definition.command(listen))
    .withEnvironment({ ...definition.environment })
    .withLabels({ 'org.tuskit.testkit': 'true' });
  if (definition.network === 'host') {
    return container.withNetworkMode('host');
  }
  return container.withExposedPorts({ container: definition.containerPort, host: listen.publicPort });
}

/**
 * Locally built images cannot be pulled (no registry has them), and on the
 * offline rig a pull attempt would reach for a remote registry: fail fast.
 */
async function assertImageObtainable(client: ContainerRuntimeClient, image: string): Promise<void> {
  if (!image.startsWith(LOCAL_IMAGE_PREFIX)) return;
  if (await client.image.exists(ImageName.fromString(image))) return;
  throw new Error(`image ${image} is not built on this machine; run \`source .ci/prepare-backends.sh\` first`);
}

async function stopAndRemove(container: StartedTestContainer): Promise<void> {
  await container.stop({ remove: true, removeVolumes: true });
}
