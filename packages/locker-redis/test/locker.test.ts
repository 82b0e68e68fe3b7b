import { isTusError } from '@tuskit/core';
import { describeWithRedis, freePort, redisAvailability } from '@tuskit/testkit';
import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { RedisLocker } from '../src/index.js';
import { stubbornHolder, useRedis, type RedisRig } from './support/redis.js';

const noop = () => {};

describeWithRedis(redisAvailability(), 'RedisLocker', () => {
  const redis = useRedis();

  // The core's MemoryLocker behaviours, within one locker and between two
  // lockers on their own connections (two servers).
  const oneLocker = (rig: RedisRig): [RedisLocker, RedisLocker] => {
    const locker = rig.locker();
    return [locker, locker];
  };
  const twoLockers = (rig: RedisRig): [RedisLocker, RedisLocker] => [rig.locker(), rig.locker()];

  describe.each([
    ['one locker', oneLocker],
    ['two lockers, each on its own connections', twoLockers],
  ])('%s', (_, lockers) => {
    it('asks the holder to let go and hands the lock over when it does', async () => {
      const [a, b] = lockers(redis);
      const holder = stubbornHolder();
      const first = await a.lock('u', { timeoutMs: 1000, onReleaseRequested: holder.onReleaseRequested });
      const asked = holder.nextAsk();
      const second = b.lock('u', { timeoutMs: 5000, onReleaseRequested: noop });
      await asked;
      await first.release();
      const taken = await second;
      expect(await redis.client().exists(`${redis.prefix}u`)).toBe(1);
      await taken.release();
      expect(await redis.client().exists(`${redis.prefix}u`)).toBe(0);
    });

    it('gives up with 423 when the holder does not let go in time', async () => {
      const [a, b] = lockers(redis);
      const holder = stubbornHolder();
      const held = await a.lock('u', { timeoutMs: 1000, onReleaseRequested: holder.onReleaseRequested });
      const started = Date.now();
      const error = await b.lock('u', { timeoutMs: 300, onReleaseRequested: noop }).catch((e: unknown) => e);
      expect(isTusError(error, 'locked')).toBe(true);
      expect(Date.now() - started).toBeGreaterThanOrEqual(295);
      expect(holder.asked()).toBeGreaterThanOrEqual(1);
      await held.release();
      await (await b.lock('u', { timeoutMs: 0, onReleaseRequested: noop })).release();
    });

    it('without takeover, fails at once on a held lock and never disturbs the holder', async () => {
      const [a, b] = lockers(redis);
      const holder = stubbornHolder();
      const held = await a.lock('u', { timeoutMs: 1000, onReleaseRequested: holder.onReleaseRequested });
      const requests = await listen(redis.client(), `${redis.prefix}release-requests`);
      const started = Date.now();
      const error = await b.lock('u', { timeoutMs: 0, takeover: false, onReleaseRequested: noop }).catch((e: unknown) => e);
      expect(isTusError(error, 'locked')).toBe(true);
      expect(Date.now() - started).toBeLessThan(500);
      expect(await requests.seen()).toEqual([]);
      expect(holder.asked()).toBe(0);
      await held.release();
    });

    it('keeps locks of different uploads independent, and a double release harmless', async () => {
      const [a, b] = lockers(redis);
      const lockA = await a.lock('a', { timeoutMs: 0, onReleaseRequested: noop });
      const lockB = await a.lock('b', { timeoutMs: 0, onReleaseRequested: noop });
      const waiting = b.lock('a', { timeoutMs: 5000, onReleaseRequested: noop });
      await lockA.release();
      const held = await waiting;
      await lockA.release();
      await expect(b.lock('a', { timeoutMs: 0, onReleaseRequested: noop })).rejects.toThrow();
      await held.release();
      await lockB.release();
    });
  });

  it('wakes a waiter on the release notice, long before its re-check interval', async () => {
    const a = redis.locker({ recheckIntervalMs: 30_000 });
    const b = redis.locker({ recheckIntervalMs: 30_000 });
    const holder = stubbornHolder();
    const held = await a.lock('u', { timeoutMs: 0, onReleaseRequested: holder.onReleaseRequested });
    const asked = holder.nextAsk();
    const waiting = b.lock('u', { timeoutMs: 20_000, onReleaseRequested: noop });
    await asked;
    const released = Date.now();
    await held.release();
    await (await waiting).release();
    expect(Date.now() - released).toBeLessThan(1000);
  });

  it('tells a holder whose key was taken away to stop, and then leaves the new owner alone', async () => {
    const locker = redis.locker({ lockTtlMs: 300 });
    const holder = stubbornHolder();
    const held = await locker.lock('u', { timeoutMs: 0, onReleaseRequested: holder.onReleaseRequested });
    const told = holder.nextAsk();
    const client = redis.client();
    // What another server sees after this holder stalled past its TTL and the key expired.
    await client.set(`${redis.prefix}u`, 'someone-else');
    await told;
    await held.release();
    expect(await client.get(`${redis.prefix}u`)).toBe('someone-else');
  });

  it('ignores a release request sent by the attempt that took the lock', async () => {
    const locker = redis.locker();
    const [u, v] = [stubbornHolder(), stubbornHolder()];
    await locker.lock('u', { timeoutMs: 0, onReleaseRequested: u.onReleaseRequested });
    await locker.lock('v', { timeoutMs: 0, onReleaseRequested: v.onReleaseRequested });
    const client = redis.client();
    const ownToken = await client.get(`${redis.prefix}u`);
    const channel = `${redis.prefix}release-requests`;
    // The late echo of the winner's own request, then one for `v` that arrives after it on the same connection.
    await client.publish(channel, JSON.stringify(['u', ownToken]));
    const vAsked = v.nextAsk();
    await client.publish(channel, JSON.stringify(['v', 'another-request']));
    await vAsked;
    expect(u.asked()).toBe(0);
  });

  it('close() releases what it still holds and leaves a caller-owned client open', async () => {
    const client = redis.client();
    const closing = new RedisLocker({ redis: client, prefix: redis.prefix });
    await closing.lock('u', { timeoutMs: 0, onReleaseRequested: noop });
    await closing.close();
    expect(await client.exists(`${redis.prefix}u`)).toBe(0);
    expect(client.status).toBe('ready');
    await (await redis.locker().lock('u', { timeoutMs: 0, onReleaseRequested: noop })).release();
  });

  it('answers 503 store_unavailable when Redis cannot be reached', async () => {
    const errors: unknown[] = [];
    const unreachable = new Redis(await freePort(), '127.0.0.1', { retryStrategy: () => null, maxRetriesPerRequest: 0 });
    unreachable.on('error', (error) => errors.push(error));
    const locker = new RedisLocker({ redis: unreachable, onError: (error) => errors.push(error) });
    const error = await locker.lock('u', { timeoutMs: 0, onReleaseRequested: noop }).catch((e: unknown) => e);
    expect(isTusError(error, 'store_unavailable')).toBe(true);
    expect((error as Error & { status: number }).status).toBe(503);
    expect(errors.length).toBeGreaterThan(0);
    await locker.close();
    unreachable.disconnect();
  });
});

/** Subscribes `client` to `channel`; `seen()` returns every message published before it was called. */
async function listen(client: Redis, channel: string): Promise<{ seen(): Promise<string[]> }> {
  const messages: string[] = [];
  client.on('message', (_channel: string, message: string) => messages.push(message));
  await client.subscribe(channel);
  return {
    // PING's answer queues behind any message already published, so they have all arrived by then.
    seen: async () => (await client.ping(), messages),
  };
}
