import type { Sample } from '../src/measure.js';
import type { Row, ScenarioResult } from '../src/runner.js';
import { scenariosFor } from '../src/scenarios.js';
import type { Backend } from '../src/servers/config.js';
import type { Role } from '../src/targets.js';
import { GiB, MiB } from '../src/units.js';

/** A row whose repetitions moved 1 GiB at each of `rates` MiB/s. */
export function row(targetId: string, role: Role, rates: number[], rss = { idle: 50 * MiB, peak: 60 * MiB }): Row {
  const samples: Sample[] = rates.map((rate) => ({
    seconds: 1024 / rate,
    bytes: GiB,
    patches: 1024,
    cpuSeconds: 2,
    peakRss: rss.peak,
  }));
  return { targetId, label: `${targetId} label`, role, startRss: rss.idle, idleRss: rss.idle, samples };
}

/** A result of one of the full scenarios. */
export function result(backend: Backend, scenarioId: string, rows: Row[]): ScenarioResult {
  return { backend, scenario: scenariosFor(false, backend, [scenarioId])[0]!, rows };
}
