export { describeWithDocker, dockerAvailability } from './docker.js';
export type { DockerAvailability } from './docker.js';
export {
  DEFAULT_FAKE_GCS_IMAGE,
  DEFAULT_MINIO_IMAGE,
  fakeGcsImageFromEnv,
  isDockerRequired,
  minioImageFromEnv,
  networkModeFromEnv,
} from './env.js';
export type { NetworkMode } from './env.js';
export { createGcsBucket, startFakeGcs } from './fake-gcs.js';
export type { FakeGcsOptions, GcsTarget } from './fake-gcs.js';
export { createBucket, createS3Client, externalS3FromEnv, s3ClientConfig, startMinio } from './minio.js';
export type { MinioOptions, S3Connection, S3Target } from './minio.js';
export { uniqueBucketName } from './names.js';
export { backendOutage, HEALTH_PATHS } from './outage.js';
export type { BackendOutage, BackendOutageOptions, OutageKind, OutageTarget } from './outage.js';
export { describeWithRedis, isRedisRequired, redisAvailability, startRedis } from './redis.js';
export type { RedisAvailability, RunningRedis } from './redis.js';
export { freePort } from './ports.js';
export { describeWithService, type ServiceAvailability, type ServiceNeed } from './suites.js';
export { AZURITE_ACCOUNT, azuriteOutage, createAzuriteContainer, startAzurite } from './azurite.js';
export type { AzuriteOptions, AzuriteTarget } from './azurite.js';
