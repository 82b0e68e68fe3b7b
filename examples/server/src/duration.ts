/**
 * Seconds as a string with three decimals; `undefined` for anything that is
 * not a positive, finite duration.
 *
 * @example
 * ```ts
 * formatDuration(3782.4129); // '3782.413'
 * ```
 */
export function formatDuration(seconds: number | undefined): string | undefined {
  if (seconds === undefined || !Number.isFinite(seconds) || seconds <= 0) return undefined;
  return seconds.toFixed(3);
}
