import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import { cpuSeconds, memory, resetPeak } from '../src/procfs.js';
import { MiB } from '../src/units.js';

describe('procfs', () => {
  it('counts the CPU a process burns, as the process itself does', () => {
    const before = cpuSeconds(process.pid);
    const usageBefore = process.cpuUsage();
    const until = performance.now() + 300;
    let spins = 0;
    while (performance.now() < until) spins++;
    const usage = process.cpuUsage(usageBefore);
    const measured = cpuSeconds(process.pid) - before;
    expect(spins).toBeGreaterThan(0);
    expect(measured).toBeGreaterThan(0);
    // /proc counts in clock ticks (10 ms) and covers every thread.
    expect(measured).toBeGreaterThanOrEqual((usage.user + usage.system) / 1e6 - 0.02);
  });

  it('reads the peak of a process and resets it to what is resident now', async () => {
    // A child that touches 200 MiB, frees it, then says so and waits.
    const script = `let b = Buffer.alloc(200 * 1024 * 1024, 1); b = null; gc(); setTimeout(() => { gc(); console.log('freed'); }, 50); setTimeout(() => {}, 60_000);`;
    const child = spawn(process.execPath, ['--expose-gc', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    try {
      await once(child.stdout, 'data');
      const before = memory(child.pid!);
      expect(before.peak - before.rss).toBeGreaterThan(150 * MiB);
      expect(resetPeak(child.pid!)).toBe(true);
      const after = memory(child.pid!);
      expect(after.peak - after.rss).toBeLessThan(4 * MiB);
    } finally {
      child.kill();
    }
  });
});
