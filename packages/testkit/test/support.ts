import { getContainerRuntimeClient } from 'testcontainers';

/** True while Docker still knows the container (running or stopped). */
export async function containerExists(id: string): Promise<boolean> {
  const client = await getContainerRuntimeClient();
  try {
    await client.container.getById(id).inspect();
    return true;
  } catch (error) {
    if (isNotFound(error)) return false;
    throw error;
  }
}

function isNotFound(error: unknown): boolean {
  return typeof error === 'object' && error !== null && 'statusCode' in error && error.statusCode === 404;
}
