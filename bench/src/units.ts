export const KiB = 1024;
export const MiB = 1024 * KiB;
export const GiB = 1024 * MiB;

/**
 * A byte count the way the tables print it: `64 KiB`, `8 MiB`, `1 GiB`.
 *
 * @example
 * ```ts
 * formatBytes(8 * MiB); // '8 MiB'
 * ```
 */
export function formatBytes(bytes: number): string {
  for (const [unit, size] of [['GiB', GiB], ['MiB', MiB], ['KiB', KiB]] as const) {
    if (bytes >= size) return `${trim(bytes / size)} ${unit}`;
  }
  return `${bytes} B`;
}

function trim(value: number): string {
  return Number.isInteger(value) ? String(value) : value.toFixed(1);
}
