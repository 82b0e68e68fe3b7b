// Holds one lock in its own process and never lets go, so a test can ask it to and then SIGKILL it.
// Usage: node holder.mjs <redis url> <prefix> <upload id> <lockTtlMs>
import { RedisLocker } from '@tuskit/locker-redis';

const [url, prefix, id, ttl] = process.argv.slice(2);
const locker = new RedisLocker({ redis: url, prefix, lockTtlMs: Number(ttl) });
await locker.lock(id, { timeoutMs: 0, onReleaseRequested: () => console.log('asked') });
console.log('held');
