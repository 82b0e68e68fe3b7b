import { randomBytes } from 'node:crypto';

/**
 * A fresh bucket name that is valid for both S3 and GCS
 * (lowercase, digits and dashes, 3..63 characters).
 *
 * @example
 * uniqueBucketName('uploads'); // 'uploads-3f9c0a1b2c4d5e6f'
 */
export function uniqueBucketName(prefix = 'tuskit'): string {
  const safePrefix = prefix.toLowerCase().replace(/[^a-z0-9-]/g, '-').slice(0, 40);
  return `${safePrefix}-${randomBytes(8).toString('hex')}`;
}

/** A random secret of `bytes` bytes, hex encoded. */
export function randomSecret(bytes = 16): string {
  return randomBytes(bytes).toString('hex');
}
