import { DefaultAzureCredential } from '@azure/identity';
import { BlobServiceClient, StorageSharedKeyCredential } from '@azure/storage-blob';
import { AzureStore, clientDefaults } from '@tuskit/store-azure';
import { ConfigError, envText } from '../config.js';
import { envHttpUrl, requiredEnv } from './variables.js';

/**
 * The store of `STORE=azure`, from `AZURE_CONTAINER` (required),
 * `AZURE_KEY_PREFIX`, and one way to reach the account:
 * `AZURE_STORAGE_CONNECTION_STRING` (Azurite's included); or
 * `AZURE_STORAGE_ACCOUNT` with `AZURE_STORAGE_KEY` (shared key); or
 * `AZURE_STORAGE_ACCOUNT` alone, signed in through `DefaultAzureCredential`
 * (managed identity, workload identity, `az login`, `AZURE_CLIENT_*`).
 * `AZURE_BLOB_ENDPOINT` replaces `https://{account}.blob.core.windows.net`.
 *
 * With the account key (a connection string or `AZURE_STORAGE_KEY`),
 * download links are SAS URLs of the blob; signed in with an identity, the
 * API serves downloads itself.
 *
 * @example
 * ```ts
 * const store = azureStoreFromEnv({ AZURE_CONTAINER: 'uploads', AZURE_STORAGE_CONNECTION_STRING: '...' });
 * ```
 */
export function azureStoreFromEnv(env: NodeJS.ProcessEnv): AzureStore {
  const container = requiredEnv(env, 'AZURE_CONTAINER', 'STORE=azure');
  return new AzureStore({ container, client: serviceClientFromEnv(env), keyPrefix: envText(env, 'AZURE_KEY_PREFIX') });
}

function serviceClientFromEnv(env: NodeJS.ProcessEnv): BlobServiceClient {
  const connectionString = envText(env, 'AZURE_STORAGE_CONNECTION_STRING');
  const account = envText(env, 'AZURE_STORAGE_ACCOUNT');
  const key = envText(env, 'AZURE_STORAGE_KEY');
  if (connectionString !== undefined) {
    if (account !== undefined || key !== undefined) {
      throw new ConfigError('AZURE_STORAGE_CONNECTION_STRING names the account and its key: leave AZURE_STORAGE_ACCOUNT and AZURE_STORAGE_KEY unset.');
    }
    return BlobServiceClient.fromConnectionString(connectionString, clientDefaults);
  }
  if (account === undefined) {
    throw new ConfigError('STORE=azure needs AZURE_STORAGE_CONNECTION_STRING, or AZURE_STORAGE_ACCOUNT (with AZURE_STORAGE_KEY, or signed in through DefaultAzureCredential).');
  }
  const endpoint = envHttpUrl(env, 'AZURE_BLOB_ENDPOINT')?.href.replace(/\/+$/, '') ?? `https://${account}.blob.core.windows.net`;
  const credential = key === undefined ? new DefaultAzureCredential() : new StorageSharedKeyCredential(account, key);
  return new BlobServiceClient(endpoint, credential, clientDefaults);
}
