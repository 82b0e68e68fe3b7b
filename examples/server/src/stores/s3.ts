import { MAX_PART_SIZE, MIN_PART_SIZE, S3Store } from '@tuskit/store-s3';
import { ConfigError, envInteger, envText } from '../config.js';
import { envFlag, envHttpUrl, requiredEnv } from './variables.js';

/** The region of `S3_REGION` when unset (MinIO's, and where AWS S3 buckets default). */
export const DEFAULT_S3_REGION = 'us-east-1';

/**
 * The store of `STORE=s3`, from `S3_BUCKET` (required), `S3_ENDPOINT` (for
 * MinIO, R2 and other S3-compatible services), `S3_REGION` (default
 * `us-east-1`), `S3_ACCESS_KEY_ID` + `S3_SECRET_ACCESS_KEY` (else the AWS
 * SDK's default credential chain), `S3_FORCE_PATH_STYLE` (default: on when
 * `S3_ENDPOINT` is set), `S3_KEY_PREFIX` and `S3_PART_SIZE` (bytes, at least
 * 5 MiB). Throws a {@link ConfigError} for a missing or malformed variable.
 *
 * @example
 * ```ts
 * const store = s3StoreFromEnv({ S3_BUCKET: 'uploads', S3_ENDPOINT: 'http://127.0.0.1:9000',
 *   S3_ACCESS_KEY_ID: 'minio', S3_SECRET_ACCESS_KEY: 'minio-secret' });
 * ```
 */
export function s3StoreFromEnv(env: NodeJS.ProcessEnv): S3Store {
  const bucket = requiredEnv(env, 'S3_BUCKET', 'STORE=s3');
  const endpoint = envHttpUrl(env, 'S3_ENDPOINT')?.href.replace(/\/+$/, '');
  return new S3Store({
    bucket,
    keyPrefix: envText(env, 'S3_KEY_PREFIX'),
    partSize: partSizeFromEnv(env),
    client: {
      region: envText(env, 'S3_REGION') ?? DEFAULT_S3_REGION,
      ...(endpoint !== undefined && { endpoint }),
      // Self-hosted endpoints seldom have a DNS name per bucket.
      forcePathStyle: envFlag(env, 'S3_FORCE_PATH_STYLE') ?? endpoint !== undefined,
      ...credentialsFromEnv(env),
    },
  });
}

function partSizeFromEnv(env: NodeJS.ProcessEnv): number | undefined {
  const partSize = envInteger(env, 'S3_PART_SIZE');
  if (partSize !== undefined && (partSize < MIN_PART_SIZE || partSize > MAX_PART_SIZE)) {
    throw new ConfigError(`S3_PART_SIZE must be from ${MIN_PART_SIZE} (5 MiB) to ${MAX_PART_SIZE} (5 GiB), not ${partSize}.`);
  }
  return partSize;
}

/** The static key pair, or nothing so that the SDK's default chain finds credentials. */
function credentialsFromEnv(env: NodeJS.ProcessEnv): { credentials?: { accessKeyId: string; secretAccessKey: string } } {
  const accessKeyId = envText(env, 'S3_ACCESS_KEY_ID');
  const secretAccessKey = envText(env, 'S3_SECRET_ACCESS_KEY');
  if (accessKeyId === undefined && secretAccessKey === undefined) return {};
  if (accessKeyId === undefined || secretAccessKey === undefined) {
    throw new ConfigError('S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY go together: set both, or neither for the AWS SDK default credential chain.');
  }
  return { credentials: { accessKeyId, secretAccessKey } };
}
