import { subscribe } from 'node:diagnostics_channel';
import type { TusHooks } from '@tuskit/core';

/**
 * The steps of a completion at which `TUSKIT_TEST_FAULT` makes the process
 * SIGKILL itself, so that a test proves the completion survives a crash at
 * each of them, with no timing involved.
 */
export const KILL_POINTS = [
  /** The last byte is stored; the upload is not finalized yet. */
  'kill-before-finalize',
  /** The store finalized the upload; `onComplete` has not run. */
  'kill-after-finalize',
  /** Inside `onComplete`, before the asset becomes `processing`. */
  'kill-before-processing',
  /** Inside `onComplete`, once the asset is `processing`, before it is handed to processing. */
  'kill-after-processing',
  /** The asset is measured; it is not `ready` yet. */
  'kill-before-ready',
] as const;

/** One of {@link KILL_POINTS}. */
export type KillPoint = (typeof KILL_POINTS)[number];

/**
 * The faults `TUSKIT_TEST_FAULT` injects, for tests only: `hang-after-claim`
 * (an instance claims assets to measure and never measures them) or one of
 * the {@link KILL_POINTS}.
 */
export const TEST_FAULTS = ['hang-after-claim', ...KILL_POINTS] as const;

/** One of {@link TEST_FAULTS}. */
export type TestFault = (typeof TEST_FAULTS)[number];

/**
 * A function that kills the process at once (SIGKILL: no clean-up, as a power
 * cut or the OOM killer would) when it is called with the point `fault`
 * names; it does nothing otherwise.
 *
 * @example
 * ```ts
 * const kill = killSwitch(config.testFault);
 * kill('kill-before-ready');
 * ```
 */
export function killSwitch(fault: TestFault | undefined): (point: KillPoint) => void {
  return (point) => {
    if (fault === point) process.kill(process.pid, 'SIGKILL');
  };
}

/**
 * The hooks with the two kill points that lie in the engine rather than in
 * the server's own code: the `onProgress` of the last byte (stored, not yet
 * finalized) and the engine's completion event (finalized, before
 * `onComplete`). The hooks themselves when neither is armed.
 *
 * @example
 * ```ts
 * const hooks = withKillPoints(assetLifecycle(parts), config.testFault);
 * ```
 */
export function withKillPoints<Ctx>(hooks: TusHooks<Ctx>, fault: TestFault | undefined): TusHooks<Ctx> {
  const kill = killSwitch(fault);
  if (fault === 'kill-after-finalize') subscribe('tuskit:upload:completed', () => kill('kill-after-finalize'));
  if (fault !== 'kill-before-finalize') return hooks;
  return {
    ...hooks,
    async onProgress(event) {
      if (event.offset === event.upload.size) kill('kill-before-finalize');
      await hooks.onProgress?.(event);
    },
  };
}
