export { describeWithDocker, dockerAvailability } from './docker.js';
export type { DockerAvailability } from './docker.js';
export {
  DEFAULT_FAKE_GCS_IMAGE,
  DEFAULT_MINIO_IMAGE,
  fakeGcsImageFromEnv,
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
export { describeWithRedis, redisAvailability, startRedis } from './redis.js';
export type { RedisAvailability, RunningRedis } from './redis.js';
export { freePort } from './ports.js';
export {
  SKIP_LOG_VARIABLE,
  TOOLS,
  commandAvailability,
  describeWithTool,
  findOnPath,
  isToolRequired,
  netnsAvailability,
  type Tool,
  type ToolAvailability,
} from './tools.js';
export { AZURITE_ACCOUNT, azuriteOutage, createAzuriteContainer, startAzurite } from './azurite.js';
export type { AzuriteOptions, AzuriteTarget } from './azurite.js';
export { describeWithPostgres, postgresAvailability, startPostgres } from './postgres.js';
export type { PostgresAvailability, RunningPostgres } from './postgres.js';
