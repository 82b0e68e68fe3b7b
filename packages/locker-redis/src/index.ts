export { RedisLocker, type RedisLockerOptions } from './locker.js';
