import fc from 'fast-check';

/** How a fuzz run is seeded and sized. */
export interface FuzzConfig {
  seed: number;
  runs: number;
}

/**
 * Reads `FUZZ_SEED` (default: a fresh random seed) and `FUZZ_RUNS` (default
 * `defaultRuns`).
 */
export function fuzzConfig(defaultRuns: number): FuzzConfig {
  const seed = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : Math.floor(Math.random() * 2 ** 31);
  const runs = process.env.FUZZ_RUNS ? Number(process.env.FUZZ_RUNS) : defaultRuns;
  if (!Number.isSafeInteger(seed) || !Number.isSafeInteger(runs) || runs < 1) {
    throw new Error(`FUZZ_SEED must be an integer and FUZZ_RUNS a positive integer (got ${process.env.FUZZ_SEED}, ${process.env.FUZZ_RUNS})`);
  }
  return { seed, runs };
}

/** Generous bound on a whole run (a few ms per run here): a hung or crawling server fails instead of stalling CI. */
export function timeLimitMs(config: FuzzConfig): number {
  return 60_000 + config.runs * 20;
}

/**
 * Runs a property over shared server state with `seed`: no shrinking (a
 * shrunk replay would meet a different server state), a time limit so the
 * run always ends, and the command that replays it in the failure message.
 */
export async function assertWithSeed<T>(property: fc.IAsyncProperty<T>, config: FuzzConfig): Promise<void> {
  try {
    await fc.assert(property, {
      seed: config.seed,
      numRuns: config.runs,
      endOnFailure: true,
      interruptAfterTimeLimit: timeLimitMs(config),
      markInterruptAsFailure: true,
    });
  } catch (error) {
    const replay = `FUZZ_SEED=${config.seed} FUZZ_RUNS=${config.runs} pnpm --filter @tuskit/fuzz test`;
    throw new Error(`Fuzzing failed; replay with: ${replay}\n${(error as Error).message}`, { cause: error });
  }
}
