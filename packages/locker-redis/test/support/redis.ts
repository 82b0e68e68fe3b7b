import { startRedis, type RunningRedis } from '@tuskit/testkit';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, beforeEach } from 'vitest';
import { RedisLocker, type RedisLockerOptions } from '../../src/index.js';

/** What {@link useRedis} hands a suite. */
export interface RedisRig {
  readonly url: string;
  /** A key/channel prefix of the current test, so tests never see each other's locks. */
  readonly prefix: string;
  /** A locker on its own connections, closed after the test. */
  locker(options?: Partial<RedisLockerOptions>): RedisLocker;
  /** A plain client, disconnected after the test. */
  client(): Redis;
}

/** Starts one redis-server for the enclosing suite and cleans up after every test. */
export function useRedis(): RedisRig {
  let server: RunningRedis | undefined;
  let test = 0;
  const cleanups: Array<() => Promise<void>> = [];
  beforeAll(async () => {
    server = await startRedis();
  });
  beforeEach(() => {
    test++;
  });
  afterEach(async () => {
    await Promise.all(cleanups.splice(0).map((cleanup) => cleanup()));
  });
  afterAll(async () => {
    await server?.stop();
  });
  const rig: RedisRig = {
    get url() {
      if (!server) throw new Error('redis-server is not started yet');
      return server.url;
    },
    get prefix() {
      return `test-${process.pid}-${test}:`;
    },
    locker(options = {}) {
      const locker = new RedisLocker({ redis: rig.url, prefix: rig.prefix, ...options });
      cleanups.push(() => locker.close());
      return locker;
    },
    client() {
      const client = new Redis(rig.url);
      cleanups.push(async () => client.disconnect());
      return client;
    },
  };
  return rig;
}

/** A lock request that never lets go, counting how often it was asked to. */
export function stubbornHolder(): { asked: () => number; nextAsk: () => Promise<void>; onReleaseRequested: () => void } {
  let count = 0;
  const waiters: Array<() => void> = [];
  return {
    asked: () => count,
    nextAsk: () => new Promise<void>((resolve) => waiters.push(resolve)),
    onReleaseRequested: () => {
      count++;
      for (const wake of waiters.splice(0)) wake();
    },
  };
}
