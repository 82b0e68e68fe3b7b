/** How containers reach the network: `host` for the offline CI rig, `bridge` (mapped ports) elsewhere. */
export type NetworkMode = 'host' | 'bridge';

/**
 * Public MinIO image, used when `TUSKIT_MINIO_IMAGE` is not set.
 *
 * @example
 * minioImageFromEnv({}) === DEFAULT_MINIO_IMAGE; // true
 */
export const DEFAULT_MINIO_IMAGE = 'minio/minio';

/**
 * Public fake-gcs-server image, used when `TUSKIT_FAKE_GCS_IMAGE` is not set.
 *
 * @example
 * fakeGcsImageFromEnv({}) === DEFAULT_FAKE_GCS_IMAGE; // true
 */
export const DEFAULT_FAKE_GCS_IMAGE = 'fsouza/fake-gcs-server';

type Env = Readonly<Record<string, string | undefined>>;

/**
 * Reads `TUSKIT_CONTAINER_NETWORK`: `host` selects host networking, anything else bridge.
 *
 * @example
 * networkModeFromEnv({ TUSKIT_CONTAINER_NETWORK: 'host' }); // 'host'
 */
export function networkModeFromEnv(env: Env = process.env): NetworkMode {
  return env.TUSKIT_CONTAINER_NETWORK?.trim().toLowerCase() === 'host' ? 'host' : 'bridge';
}

/**
 * The MinIO image: `TUSKIT_MINIO_IMAGE` or the public `minio/minio`.
 *
 * @example
 * minioImageFromEnv({ TUSKIT_MINIO_IMAGE: 'tuskit-local/minio:v1' }); // 'tuskit-local/minio:v1'
 */
export function minioImageFromEnv(env: Env = process.env): string {
  return nonEmpty(env.TUSKIT_MINIO_IMAGE) ?? DEFAULT_MINIO_IMAGE;
}

/**
 * The fake-gcs-server image: `TUSKIT_FAKE_GCS_IMAGE` or the public `fsouza/fake-gcs-server`.
 *
 * @example
 * fakeGcsImageFromEnv({}); // 'fsouza/fake-gcs-server'
 */
export function fakeGcsImageFromEnv(env: Env = process.env): string {
  return nonEmpty(env.TUSKIT_FAKE_GCS_IMAGE) ?? DEFAULT_FAKE_GCS_IMAGE;
}

/** Returns the trimmed value, or undefined when it is missing or blank. */
export function nonEmpty(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed === undefined || trimmed === '' ? undefined : trimmed;
}
