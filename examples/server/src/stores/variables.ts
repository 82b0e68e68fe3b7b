// The forms of variable the store factories read, beyond envText and envInteger.
import { ConfigError, envText } from '../config.js';

/**
 * A variable the chosen store cannot do without.
 *
 * @example
 * ```ts
 * requiredEnv(env, 'S3_BUCKET', 'STORE=s3'); // throws "S3_BUCKET must be set with STORE=s3." when unset
 * ```
 */
export function requiredEnv(env: NodeJS.ProcessEnv, name: string, needer: string): string {
  const value = envText(env, name);
  if (value === undefined) throw new ConfigError(`${name} must be set with ${needer}.`);
  return value;
}

/**
 * A yes/no variable: `true`, `1`, `yes` or `false`, `0`, `no` (any case);
 * `undefined` when unset or blank.
 *
 * @example
 * ```ts
 * envFlag({ S3_FORCE_PATH_STYLE: 'false' }, 'S3_FORCE_PATH_STYLE'); // false
 * ```
 */
export function envFlag(env: NodeJS.ProcessEnv, name: string): boolean | undefined {
  const value = envText(env, name)?.toLowerCase();
  if (value === undefined) return undefined;
  if (['true', '1', 'yes'].includes(value)) return true;
  if (['false', '0', 'no'].includes(value)) return false;
  throw new ConfigError(`${name} must be true or false, not "${value}".`);
}

/**
 * A variable holding an `http(s)://` URL; `defaultScheme` is put in front of
 * a bare `host:port`.
 *
 * @example
 * ```ts
 * envHttpUrl({ STORAGE_EMULATOR_HOST: '127.0.0.1:4443' }, 'STORAGE_EMULATOR_HOST', 'http')?.origin; // 'http://127.0.0.1:4443'
 * ```
 */
export function envHttpUrl(env: NodeJS.ProcessEnv, name: string, defaultScheme?: 'http' | 'https'): URL | undefined {
  const value = envText(env, name);
  if (value === undefined) return undefined;
  const url = URL.parse(defaultScheme && !value.includes('://') ? `${defaultScheme}://${value}` : value);
  if (!url || !/^https?:$/.test(url.protocol) || !url.host) {
    throw new ConfigError(`${name} must be an http(s) URL${defaultScheme ? ' or host:port' : ''}, not "${value}".`);
  }
  return url;
}
