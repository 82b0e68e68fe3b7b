import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import type { BucketLocationConstraint, S3ClientConfig } from '@aws-sdk/client-s3';
import { startService } from './container.js';
import { minioImageFromEnv, networkModeFromEnv, nonEmpty } from './env.js';
import type { NetworkMode } from './env.js';
import { randomSecret, uniqueBucketName } from './names.js';
import { HEALTH_PATHS } from './outage.js';

const MINIO_PORT = 9000;
const MINIO_REGION = 'us-east-1';

/** Options for {@link startMinio}; every field has an environment-driven default. */
export interface MinioOptions {
  /** Defaults to `TUSKIT_MINIO_IMAGE`, then `minio/minio`. */
  readonly image?: string;
  /** Defaults to `TUSKIT_CONTAINER_NETWORK` (`host`), otherwise bridge with a mapped port. */
  readonly network?: NetworkMode;
  /** Creates this bucket once the server is up and returns it as `bucket`. */
  readonly bucket?: string;
  /** Defaults to 120 s; the first MinIO start on a cold machine is slow. */
  readonly startupTimeoutMs?: number;
  /** Start a container even when `TUSKIT_S3_*` points at a real S3 endpoint. */
  readonly ignoreExternal?: boolean;
}

/** Connection details of an S3-compatible endpoint. */
export interface S3Connection {
  readonly endpoint: string;
  readonly region: string;
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
  readonly forcePathStyle: boolean;
}

/** What {@link startMinio} returns: a MinIO container, or the real endpoint from `TUSKIT_S3_*`. */
export interface S3Target extends S3Connection {
  readonly kind: 'minio' | 'external';
  /** Bucket created from `options.bucket`, or `TUSKIT_S3_BUCKET` for an external endpoint. */
  readonly bucket?: string;
  /** Docker container id; absent for an external endpoint. */
  readonly containerId?: string;
  /** Stops and removes the container (a no-op for an external endpoint). */
  stop(): Promise<void>;
}

/**
 * Starts MinIO (or returns the external endpoint configured by `TUSKIT_S3_*`)
 * and waits for `/minio/health/live`. Credentials are random per container.
 *
 * @example
 * const s3 = await startMinio({ bucket: 'uploads' });
 * const client = createS3Client(s3);
 * // ... use client with s3.bucket ...
 * await s3.stop();
 */
export async function startMinio(options: MinioOptions = {}): Promise<S3Target> {
  const external = options.ignoreExternal === true ? undefined : externalS3FromEnv();
  const target = external ?? (await startMinioContainer(options));
  if (target.bucket === undefined && options.bucket !== undefined) {
    return { ...target, bucket: await createBucket(target, options.bucket) };
  }
  return target;
}

async function startMinioContainer(options: MinioOptions): Promise<S3Target> {
  const accessKeyId = `tuskit-${randomSecret(4)}`;
  const secretAccessKey = randomSecret();
  const service = await startService({
    image: options.image ?? minioImageFromEnv(),
    network: options.network ?? networkModeFromEnv(),
    containerPort: MINIO_PORT,
    healthPath: HEALTH_PATHS.minio,
    command: ({ bindHost, bindPort }) => ['server', '/data', '--address', `${bindHost}:${bindPort}`],
    environment: {
      MINIO_ROOT_USER: accessKeyId,
      MINIO_ROOT_PASSWORD: secretAccessKey,
      // Keep the server from phoning home and from opening a console port.
      MINIO_UPDATE: 'off',
      MINIO_BROWSER: 'off',
    },
    ...(options.startupTimeoutMs === undefined ? {} : { startupTimeoutMs: options.startupTimeoutMs }),
  });
  return {
    kind: 'minio',
    endpoint: service.endpoint,
    region: MINIO_REGION,
    accessKeyId,
    secretAccessKey,
    forcePathStyle: true,
    containerId: service.containerId,
    stop: service.stop,
  };
}

/**
 * Reads a real S3 endpoint from the environment. Returns undefined when
 * `TUSKIT_S3_ENDPOINT` is unset; throws when it is set but credentials are
 * missing, so a half-configured run never silently falls back to MinIO.
 *
 * @example
 * externalS3FromEnv({
 *   TUSKIT_S3_ENDPOINT: 'https://s3.eu-west-1.amazonaws.com',
 *   TUSKIT_S3_REGION: 'eu-west-1',
 *   TUSKIT_S3_ACCESS_KEY_ID: 'AKIA...',
 *   TUSKIT_S3_SECRET_ACCESS_KEY: '...',
 * })?.kind; // 'external'
 */
export function externalS3FromEnv(
  env: Readonly<Record<string, string | undefined>> = process.env,
): S3Target | undefined {
  const endpoint = nonEmpty(env.TUSKIT_S3_ENDPOINT);
  if (endpoint === undefined) return undefined;
  const accessKeyId = nonEmpty(env.TUSKIT_S3_ACCESS_KEY_ID);
  const secretAccessKey = nonEmpty(env.TUSKIT_S3_SECRET_ACCESS_KEY);
  if (accessKeyId === undefined || secretAccessKey === undefined) {
    throw new Error('TUSKIT_S3_ENDPOINT is set: TUSKIT_S3_ACCESS_KEY_ID and TUSKIT_S3_SECRET_ACCESS_KEY are required too');
  }
  const sessionToken = nonEmpty(env.TUSKIT_S3_SESSION_TOKEN);
  const bucket = nonEmpty(env.TUSKIT_S3_BUCKET);
  return {
    kind: 'external',
    endpoint,
    region: nonEmpty(env.TUSKIT_S3_REGION) ?? MINIO_REGION,
    accessKeyId,
    secretAccessKey,
    forcePathStyle: !/^(0|false|no)$/i.test(env.TUSKIT_S3_FORCE_PATH_STYLE?.trim() ?? ''),
    ...(sessionToken === undefined ? {} : { sessionToken }),
    ...(bucket === undefined ? {} : { bucket }),
    stop: async () => undefined,
  };
}

/**
 * `@aws-sdk/client-s3` configuration for a target.
 *
 * @example
 * const client = new S3Client(s3ClientConfig(await startMinio()));
 */
export function s3ClientConfig(connection: S3Connection): S3ClientConfig {
  const { accessKeyId, secretAccessKey, sessionToken } = connection;
  return {
    endpoint: connection.endpoint,
    region: connection.region,
    forcePathStyle: connection.forcePathStyle,
    credentials: sessionToken === undefined ? { accessKeyId, secretAccessKey } : { accessKeyId, secretAccessKey, sessionToken },
    // SDK >= 3.729 adds CRC32 checksums to every request by default; many
    // S3-compatible servers reject or mishandle them.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  };
}

/**
 * An `S3Client` configured by {@link s3ClientConfig}. The caller destroys it.
 *
 * @example
 * const client = createS3Client(s3);
 * try { await client.send(new ListBucketsCommand({})); } finally { client.destroy(); }
 */
export function createS3Client(connection: S3Connection): S3Client {
  return new S3Client(s3ClientConfig(connection));
}

/**
 * Creates a bucket (a fresh unique name by default) and returns its name.
 *
 * @example
 * const bucket = await createBucket(s3); // 'tuskit-3f9c0a1b2c4d5e6f'
 */
export async function createBucket(connection: S3Connection, name: string = uniqueBucketName()): Promise<string> {
  const client = createS3Client(connection);
  try {
    await client.send(new CreateBucketCommand({ Bucket: name, ...locationConstraint(connection.region) }));
    return name;
  } finally {
    client.destroy();
  }
}

/** us-east-1 is the one region where S3 rejects an explicit LocationConstraint. */
function locationConstraint(region: string): Pick<ConstructorParameters<typeof CreateBucketCommand>[0], 'CreateBucketConfiguration'> {
  if (region === MINIO_REGION) return {};
  return { CreateBucketConfiguration: { LocationConstraint: region as BucketLocationConstraint } };
}
