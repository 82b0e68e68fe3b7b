import { describe, expect, it } from 'vitest';
import { checkGoals } from '../src/checks.js';
import type { Row } from '../src/runner.js';
import { MiB } from '../src/units.js';
import { result, row } from './fixtures.js';

const parts = { partSize: 8 * MiB, queueSize: 2 };

/** Row, measured figure and verdict of the goals naming `goal`, for one fs scenario run with `rows`. */
function measured(scenario: string, rows: Row[], goal: string): [string, string, boolean][] {
  return checkGoals([result('fs', scenario, rows)], parts)
    .filter((c) => c.goal.includes(goal))
    .map((c) => [c.row, c.measured, c.pass]);
}

describe('checkGoals', () => {
  it('compares tuskit medians with the raw limit and @tus/server of the same run', () => {
    const checks = checkGoals(
      [
        result('fs', '1m', [
          row('raw', 'raw', [400, 500, 600]),
          row('tuskit-node', 'tuskit', [460, 470, 900]),
          row('tus-server', 'peer', [300, 350, 360]),
        ]),
      ],
      parts,
    );
    const ratio = checks.filter((c) => c.goal.includes('1 GiB in 1 MiB PATCHes: ≥'));
    expect(ratio.map((c) => [c.goal.replace(/.*: /, ''), c.measured, c.pass])).toEqual([
      ['≥ 0.90× raw label', '0.94×', true],
      ['≥ 1.00× raw label', '0.94×', false],
      ['≥ 1.30× tus-server label', '1.34×', true],
    ]);
  });

  it('holds fs memory to idle + 16 MiB and S3 memory to the part buffers of each upload + 32 MiB', () => {
    const checks = checkGoals(
      [
        result('fs', '8m', [row('tuskit-node', 'tuskit', [1], { idle: 50 * MiB, peak: 67 * MiB })]),
        result('s3', '8m', [row('tuskit-node', 'tuskit', [1], { idle: 70 * MiB, peak: 118 * MiB })]),
        result('s3', 'par8', [row('tuskit-node', 'tuskit', [1], { idle: 70 * MiB, peak: 231 * MiB })]),
      ],
      parts,
    );
    const memory = checks.filter((c) => c.goal.includes('peak RSS ≤'));
    expect(memory.map((c) => [c.goal.replace(/.*: /, ''), c.pass])).toEqual([
      ['peak RSS ≤ idle + 16 MiB', false],
      ['peak RSS ≤ idle + 48 MiB', true],
      ['peak RSS ≤ idle + 160 MiB', false],
    ]);
  });

  it("shows beside each memory figure the floor of the same framework, and compares peaks with the raw server's", () => {
    const rows = [
      row('raw', 'raw', [1], { idle: 95 * MiB, peak: 90 * MiB }),
      row('raw-lean', 'floor', [1], { idle: 50 * MiB, peak: 53 * MiB }),
      row('raw-lean-express', 'floor', [1], { idle: 60 * MiB, peak: 95 * MiB }),
      row('tuskit-node', 'tuskit', [1], { idle: 51 * MiB, peak: 106 * MiB }),
      row('tuskit-express', 'tuskit', [1], { idle: 61 * MiB, peak: 107 * MiB }),
    ];
    expect(measured('par8', rows, 'peak RSS ≤ idle')).toEqual([
      ['tuskit-node label', 'idle 51.0 MiB, peak 106.0 MiB (+55.0 MiB); its memory floor +3.0 MiB', false],
      ['tuskit-express label', 'idle 61.0 MiB, peak 107.0 MiB (+46.0 MiB); its memory floor +35.0 MiB', false],
    ]);
    expect(measured('par8', rows, "raw server's")).toEqual([
      ['tuskit-node label', '106.0 MiB vs raw 90.0 MiB', true],
      ['tuskit-express label', '107.0 MiB vs raw 90.0 MiB', false],
    ]);
  });

  it('signs a peak below the idle reading as a fall, not as "+-"', () => {
    const rows = [
      row('raw-lean', 'floor', [1], { idle: 50 * MiB, peak: 52 * MiB }),
      row('tuskit-node', 'tuskit', [1], { idle: 61 * MiB, peak: 57.5 * MiB }),
    ];
    expect(measured('8m', rows, 'peak RSS ≤ idle')).toEqual([
      ['tuskit-node label', 'idle 61.0 MiB, peak 57.5 MiB (−3.5 MiB); its memory floor +2.0 MiB', true],
    ]);
  });

  it('wants fs peaks flat across PATCH sizes', () => {
    const at = (peak: number) => row('tuskit-node', 'tuskit', [1], { idle: 50 * MiB, peak: peak * MiB });
    const flat = checkGoals([result('fs', '1m', [at(60)]), result('fs', 'single', [at(67)])], parts);
    const growing = checkGoals([result('fs', '1m', [at(60)]), result('fs', 'single', [at(69)])], parts);
    const pass = (checks: typeof flat) => checks.find((c) => c.goal.includes('flat'))?.pass;
    expect([pass(flat), pass(growing)]).toEqual([true, false]);
  });

  it('leaves out goals whose reference did not run', () => {
    const checks = checkGoals([result('s3', 'single', [row('tuskit-node', 'tuskit', [100])])], parts);
    expect(checks.map((c) => c.goal)).toEqual(['s3 one 256 MiB PATCH: peak RSS ≤ idle + 48 MiB']);
  });
});
