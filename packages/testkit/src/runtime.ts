import { getContainerRuntimeClient } from 'testcontainers';
import type { ContainerRuntimeClient } from 'testcontainers';
import { networkModeFromEnv } from './env.js';

/**
 * testcontainers' client, with one host-mode default applied first: inside a
 * container (/.dockerenv) testcontainers looks up the `bridge` network's
 * gateway to find the Docker host, and a dockerd started with --bridge=none has
 * no such network, so discovery fails. With host networking the host is
 * loopback anyway.
 *
 * @example
 * const client = await containerRuntime();
 * console.log(client.info.containerRuntime.serverVersion);
 */
export function containerRuntime(): Promise<ContainerRuntimeClient> {
  if (networkModeFromEnv() === 'host') {
    process.env.TESTCONTAINERS_HOST_OVERRIDE ??= '127.0.0.1';
  }
  return getContainerRuntimeClient();
}
