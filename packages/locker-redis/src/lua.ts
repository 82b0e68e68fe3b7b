import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';

/** Sets the key to the token unless it exists; otherwise answers how long the current holder's lock lives. */
const ACQUIRE = `
if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then
  return redis.status_reply('OK')
end
return redis.call('PTTL', KEYS[1])
`;

/** Extends the key's lifetime only while it still holds the caller's token. */
const EXTEND = `
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return 0
`;

/** Deletes the key only while it holds the caller's token, and tells waiters in the same step. */
const RELEASE = `
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('DEL', KEYS[1])
  redis.call('PUBLISH', ARGV[2], ARGV[3])
  return 1
end
return 0
`;

/**
 * Runs a script by its SHA1 and sends the source only when the server does
 * not know it yet (first use, or after a restart or SCRIPT FLUSH).
 */
function script(source: string): (client: Redis, key: string, ...args: Array<string | number>) => Promise<unknown> {
  const sha = createHash('sha1').update(source).digest('hex');
  return async (client, key, ...args) => {
    try {
      return await client.evalsha(sha, 1, key, ...args);
    } catch (error) {
      if (!(error instanceof Error && error.message.startsWith('NOSCRIPT'))) throw error;
      return client.eval(source, 1, key, ...args);
    }
  };
}

const acquireScript = script(ACQUIRE);
const extendScript = script(EXTEND);
const releaseScript = script(RELEASE);

/**
 * Takes the lock `key` for `token` for `ttlMs`. Returns `undefined` when taken,
 * else the remaining lifetime of the holder's lock in ms (negative when unknown).
 */
export async function acquireLock(client: Redis, key: string, token: string, ttlMs: number): Promise<number | undefined> {
  const reply = await acquireScript(client, key, token, ttlMs);
  return reply === 'OK' ? undefined : Number(reply);
}

/** Pushes the lock's expiry `ttlMs` into the future; false when `token` no longer holds it. */
export async function extendLock(client: Redis, key: string, token: string, ttlMs: number): Promise<boolean> {
  return (await extendScript(client, key, token, ttlMs)) === 1;
}

/** Deletes the lock if `token` still holds it and publishes `message` on `channel`; false when it did not. */
export async function releaseLock(
  client: Redis,
  key: string,
  token: string,
  channel: string,
  message: string,
): Promise<boolean> {
  return (await releaseScript(client, key, token, channel, message)) === 1;
}
