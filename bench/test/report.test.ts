import { describe, expect, it } from 'vitest';
import { checkGoals } from '../src/checks.js';
import { extractNotes, renderReport, type Report } from '../src/report.js';
import { MiB } from '../src/units.js';
import { result, row } from './fixtures.js';

function report(overrides: Partial<Report> = {}): Report {
  const results = [
    result('fs', '1m', [row('raw', 'raw', [500, 400, 600]), row('tuskit-node', 'tuskit', [450]), row('tusd', 'peer', [900])]),
    result('fs', 'small', [row('raw', 'raw', [100]), row('tuskit-node', 'tuskit', [50])]),
  ];
  return {
    startedAt: new Date('2026-01-02T03:04:05Z'),
    minutes: 12.5,
    smoke: false,
    reps: 3,
    warmup: true,
    load: { start: 0.1, end: 0.2 },
    beds: { fs: 'local disk: ext4 on /dev/vda' },
    results,
    checks: checkGoals(results, { partSize: 8 * MiB, queueSize: 2 }),
    skipped: [{ backend: 's3', label: 'tuskit + @tuskit/store-s3', reason: 'not built' }],
    environment: { cpu: 'CPU', cores: 2, memory: '24 GiB', kernel: '6', node: 'v20', commit: 'abc', versions: { '@tus/server': '2.4.5' } },
    extraVersions: { tusd: 'v2.9.1' },
    notes: undefined,
    ...overrides,
  };
}

describe('renderReport', () => {
  const markdown = renderReport(report());

  it('prints medians with their range and ratios to every reference row', () => {
    expect(markdown).toContain('| server | MiB/s median (min–max) | × raw | × tusd | CPU s/GiB | RSS start · idle → peak |');
    expect(markdown).toContain('| raw label | 500 (400–600) | — | 0.56 | 2.00 | 50 · 50 → 60 MiB |');
    expect(markdown).toContain('| **tuskit-node label** | 450 (450–450) | 0.90 | 0.50 | 2.00 | 50 · 50 → 60 MiB |');
  });

  it('lists the memory-floor row without making it a ratio column', () => {
    const floor = row('raw-lean', 'floor', [700], { idle: 50 * MiB, peak: 52 * MiB });
    const results = [result('fs', '1m', [row('raw', 'raw', [500]), floor, row('tuskit-node', 'tuskit', [450])])];
    const text = renderReport(report({ results, checks: checkGoals(results, { partSize: 8 * MiB, queueSize: 2 }) }));
    expect(text).toContain('| server | MiB/s median (min–max) | × raw | CPU s/GiB | RSS start · idle → peak |');
    expect(text).toContain('| raw-lean label | 700 (700–700) | 1.40 | 2.00 | 50 · 50 → 52 MiB |');
  });

  it('reports requests/s and latency percentiles for the small-PATCH scenario', () => {
    expect(markdown).toContain('### 2,000 PATCHes of 64 KiB');
    expect(markdown).toContain('| server | req/s median (min–max) | p50 ms | p99 ms | × raw | CPU ms/PATCH | RSS start · idle → peak |');
  });

  it('states the run conditions, the goals, what was skipped and the versions', () => {
    expect(markdown).toContain('full run, 3 measured round(s) after a discarded warm-up round, 12.5 min');
    expect(markdown).toContain('load average 0.10 at the start, 0.20 at the end');
    expect(markdown).toMatch(/\| fs 1 GiB in 1 MiB PATCHes: ≥ 0\.90× raw label \| tuskit-node label \| 0\.90× \| met \|/);
    expect(markdown).toContain('- s3: tuskit + @tuskit/store-s3 — not built');
    expect(markdown).toContain('| @tus/server | 2.4.5 |');
    expect(markdown).toContain('| tusd | v2.9.1 |');
  });

  it('names the flags every Node server ran with', () => {
    expect(markdown).not.toContain('--node-flags');
    expect(renderReport(report({ nodeFlags: ['--max-semi-space-size=2'] }))).toContain(
      'every Node server runs with `--max-semi-space-size=2` (`--node-flags`).',
    );
  });

  it('keeps the hand-written notes of the previous report', () => {
    const notes = 'Measured on a quiet machine.\n\n- finding one';
    expect(extractNotes(renderReport(report({ notes })))).toBe(notes);
    expect(extractNotes('# no notes here')).toBeUndefined();
  });
});
