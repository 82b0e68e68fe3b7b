import { BlobServiceClient, type ContainerClient } from '@azure/storage-blob';
import type { AzureSettings } from './config.js';

/**
 * The container of an Azurite, through the official client with its default
 * pipeline, for the raw and `@tus/azure-store` rows alike (tuskit's store
 * builds its own from the connection string).
 *
 * @example
 * ```ts
 * const blob = azureContainer(settings).getBlockBlobClient('a');
 * ```
 */
export function azureContainer(settings: AzureSettings): ContainerClient {
  return BlobServiceClient.fromConnectionString(settings.connectionString).getContainerClient(settings.container);
}
