import type { ByteRange } from '@tuskit/core';

/** How to answer a `Range` header: the whole object, one range, or 416. */
export type RangeAnswer = { kind: 'full' } | { kind: 'partial'; range: ByteRange } | { kind: 'unsatisfiable' };

/**
 * Interprets a `Range` header (RFC 9110 §14) against an object of `size`
 * bytes. Only one `bytes` range is served; anything else that is not
 * well-formed, and lists of ranges, get the whole object (which RFC 9110
 * allows a server to do).
 *
 * @example
 * ```ts
 * parseRange('bytes=0-99', 1000); // { kind: 'partial', range: { start: 0, end: 99 } }
 * parseRange('bytes=-100', 1000); // { kind: 'partial', range: { start: 900, end: 999 } }
 * parseRange('bytes=5000-', 1000); // { kind: 'unsatisfiable' }
 * ```
 */
export function parseRange(header: string | undefined, size: number): RangeAnswer {
  const match = header === undefined ? null : /^bytes=(\d*)-(\d*)$/i.exec(header.trim());
  if (!match || (match[1] === '' && match[2] === '')) return { kind: 'full' };
  const [first, last] = [match[1] ? Number(match[1]) : undefined, match[2] ? Number(match[2]) : undefined];
  if (first === undefined) {
    // A suffix: the last N bytes.
    if (last === 0) return { kind: 'unsatisfiable' };
    return { kind: 'partial', range: { start: Math.max(0, size - (last ?? 0)), end: size - 1 } };
  }
  if (last !== undefined && last < first) return { kind: 'full' };
  if (first >= size) return { kind: 'unsatisfiable' };
  return { kind: 'partial', range: { start: first, end: Math.min(last ?? size - 1, size - 1) } };
}
