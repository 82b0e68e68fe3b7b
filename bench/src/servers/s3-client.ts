import type { S3ClientConfig } from '@aws-sdk/client-s3';
import type { S3Settings } from './config.js';

/**
 * One S3 client configuration for every S3 row (tuskit, `@tus/s3-store`,
 * lib-storage), so that none of them pays for checksums the others skip, nor
 * for the per-request middleware resolution that tuskit's store turns off
 * (`cacheMiddleware`, each row's client serving one bucket).
 *
 * @example
 * ```ts
 * const client = new S3Client(s3ClientConfig(settings));
 * ```
 */
export function s3ClientConfig(settings: S3Settings): S3ClientConfig {
  return {
    endpoint: settings.endpoint,
    region: settings.region,
    forcePathStyle: settings.forcePathStyle,
    credentials: { accessKeyId: settings.accessKeyId, secretAccessKey: settings.secretAccessKey },
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    cacheMiddleware: true,
  };
}
