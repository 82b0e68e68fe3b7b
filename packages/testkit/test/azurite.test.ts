import { BlobServiceClient } from '@azure/storage-blob';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { azuriteOutage, createAzuriteContainer, startAzurite, type AzuriteTarget } from '../src/index.js';

/** Whether the endpoint answers at all within a second. */
async function answers(url: string): Promise<boolean> {
  try {
    await (await fetch(url, { signal: AbortSignal.timeout(1000) })).body?.cancel();
    return true;
  } catch {
    return false;
  }
}

describe('startAzurite', () => {
  let azurite: AzuriteTarget;
  beforeAll(async () => {
    azurite = await startAzurite({ persistence: 'disk' });
  });
  afterAll(() => azurite?.stop());

  it('serves blobs on loopback through its connection string', async () => {
    expect(azurite.blobEndpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/devstoreaccount1$/);
    const container = BlobServiceClient.fromConnectionString(azurite.connectionString).getContainerClient(await createAzuriteContainer(azurite));
    await container.getBlockBlobClient('kept').upload('acknowledged', 12);
    expect((await container.getBlockBlobClient('kept').downloadToBuffer()).toString()).toBe('acknowledged');
  });

  it('goes down (connections refused) and comes back on the same port with its blobs', async () => {
    const container = BlobServiceClient.fromConnectionString(azurite.connectionString).getContainerClient(await createAzuriteContainer(azurite));
    await container.getBlockBlobClient('kept').upload('acknowledged', 12);
    const pid = azurite.pid;
    const outage = azuriteOutage(azurite);
    await outage.begin();
    expect(await answers(azurite.blobEndpoint)).toBe(false);
    await outage.end();
    expect(azurite.pid).not.toBe(pid);
    expect((await container.getBlockBlobClient('kept').downloadToBuffer()).toString()).toBe('acknowledged');
  });

  it('stops for good, idempotently', async () => {
    const other = await startAzurite();
    await other.stop();
    await other.stop();
    expect(await answers(other.blobEndpoint)).toBe(false);
  });
});
