// TUSKIT_LARGE=1 runs the reliability suites at sizes beyond what CI's time budget allows.

/** Whether `TUSKIT_LARGE` asks for the large sizes (`1`, `true` or `yes`). */
export const LARGE = /^(1|true|yes)$/i.test(process.env.TUSKIT_LARGE?.trim() ?? '');

/** `small` normally, `large` under `TUSKIT_LARGE=1`. */
export function sized<T>(small: T, large: T): T {
  return LARGE ? large : small;
}

/**
 * `count` sizes spread evenly on a log scale from 64 B to `max` bytes, in a
 * scrambled but fixed order (the golden-ratio sequence), so that small and
 * large uploads run side by side.
 */
export function mixedSizes(count: number, max: number): number[] {
  const octaves = Math.log2(max / 64);
  return Array.from({ length: count }, (_, i) => Math.round(64 * 2 ** (octaves * ((i * 0.618_033_988_75) % 1))));
}
