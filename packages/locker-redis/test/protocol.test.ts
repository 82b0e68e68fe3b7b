import { createServer } from 'node:http';
import { toNodeHandler } from '@tuskit/core/node';
import { describeTusProtocol, listenOnLoopback } from '@tuskit/core/testing';
import { describeWithRedis, redisAvailability } from '@tuskit/testkit';
import { afterAll } from 'vitest';
import { RedisLocker } from '../src/index.js';
import { useRedis } from './support/redis.js';

describeWithRedis(redisAvailability(), 'the protocol suite on the Redis locker', () => {
  const redis = useRedis();
  const lockers: RedisLocker[] = [];
  afterAll(() => Promise.all(lockers.map((locker) => locker.close())));

  describeTusProtocol({
    name: 'node:http with the Redis locker',
    serve: async (tus) => listenOnLoopback(createServer(toNodeHandler(tus))),
    createLocker: () => {
      const locker = new RedisLocker({ redis: redis.url, prefix: `protocol-${lockers.length}:` });
      lockers.push(locker);
      return locker;
    },
  });
});
