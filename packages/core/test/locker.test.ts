import { describe, expect, it } from 'vitest';
import { isTusError, MemoryLocker } from '../src/index.js';

describe('MemoryLocker', () => {
  it('asks the holder to let go and hands the lock over when it does', async () => {
    const locker = new MemoryLocker();
    let asked = 0;
    const first = await locker.lock('u', { timeoutMs: 1000, onReleaseRequested: () => asked++ });
    const second = locker.lock('u', { timeoutMs: 1000, onReleaseRequested: () => {} });
    await Promise.resolve();
    expect(asked).toBe(1);
    await first.release();
    await (await second).release();
  });

  it('gives up with 423 when the holder does not let go in time', async () => {
    const locker = new MemoryLocker();
    const held = await locker.lock('u', { timeoutMs: 1000, onReleaseRequested: () => {} });
    const started = Date.now();
    const error = await locker.lock('u', { timeoutMs: 100, onReleaseRequested: () => {} }).catch((e: unknown) => e);
    expect(isTusError(error, 'locked')).toBe(true);
    expect(Date.now() - started).toBeGreaterThanOrEqual(95);
    await held.release();
    await (await locker.lock('u', { timeoutMs: 0, onReleaseRequested: () => {} })).release();
  });

  it('without takeover, fails at once on a held lock and never disturbs the holder', async () => {
    const locker = new MemoryLocker();
    let asked = false;
    const held = await locker.lock('u', { timeoutMs: 1000, onReleaseRequested: () => (asked = true) });
    await expect(locker.lock('u', { timeoutMs: 0, takeover: false, onReleaseRequested: () => {} })).rejects.toThrow();
    expect(asked).toBe(false);
    await held.release();
  });

  it('keeps locks of different uploads independent, and a double release harmless', async () => {
    const locker = new MemoryLocker();
    const a = await locker.lock('a', { timeoutMs: 0, onReleaseRequested: () => {} });
    const b = await locker.lock('b', { timeoutMs: 0, onReleaseRequested: () => {} });
    const a2 = locker.lock('a', { timeoutMs: 500, onReleaseRequested: () => {} });
    await a.release();
    const held = await a2;
    await a.release();
    await expect(locker.lock('a', { timeoutMs: 0, onReleaseRequested: () => {} })).rejects.toThrow();
    await held.release();
    await b.release();
  });
});
