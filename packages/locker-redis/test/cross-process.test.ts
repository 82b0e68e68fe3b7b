import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { isTusError } from '@tuskit/core';
import { describeWithRedis, redisAvailability } from '@tuskit/testkit';
import { afterEach, expect, it } from 'vitest';
import { useRedis } from './support/redis.js';

const HOLDER = fileURLToPath(new URL('./support/holder.mjs', import.meta.url));
const TTL_MS = 500;
const noop = () => {};

describeWithRedis(redisAvailability(), 'RedisLocker across processes', () => {
  const redis = useRedis();
  const kills: Array<() => void> = [];
  afterEach(() => {
    for (const kill of kills.splice(0)) kill();
  });

  /** Starts a child process holding the lock of `id`; resolves once it holds it. */
  async function childHolder(id: string) {
    const child = spawn(process.execPath, [HOLDER, redis.url, redis.prefix, id, String(TTL_MS)], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    kills.push(() => child.kill('SIGKILL'));
    const lines = createInterface({ input: child.stdout });
    const said = (word: string) => new Promise<void>((resolve) => lines.on('line', (line) => line === word && resolve()));
    await said('held');
    return { child, said };
  }

  it('keeps a live holder in another process locked past its TTL, and frees the lock of a killed one within it', async () => {
    const holder = await childHolder('u');
    const locker = redis.locker({ lockTtlMs: TTL_MS });

    const asked = holder.said('asked');
    const started = Date.now();
    const error = await locker.lock('u', { timeoutMs: 3 * TTL_MS, onReleaseRequested: noop }).catch((e: unknown) => e);
    expect(isTusError(error, 'locked')).toBe(true);
    expect(Date.now() - started).toBeGreaterThanOrEqual(3 * TTL_MS - 5);
    await asked;

    const exited = once(holder.child, 'exit');
    holder.child.kill('SIGKILL');
    await exited;
    const killed = Date.now();
    // The dead holder's key lives out what its last renewal gave it...
    const early = await locker.lock('u', { timeoutMs: 0, takeover: false, onReleaseRequested: noop }).catch((e: unknown) => e);
    expect(isTusError(early, 'locked')).toBe(true);
    // ...and a waiter retries when it expires, not a whole re-check interval (1 s) later.
    const lock = await locker.lock('u', { timeoutMs: 5 * TTL_MS, onReleaseRequested: noop });
    expect(Date.now() - killed).toBeLessThan(TTL_MS + 300);
    await lock.release();
  });
});
