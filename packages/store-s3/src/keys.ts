import { TusError } from '@tuskit/core';

/** Ids become object keys, so only characters that are safe in any key are accepted. */
const SAFE_ID = /^[A-Za-z0-9_-]{1,128}$/;
const INFO_SUFFIX = '.info';
const TAIL_KEY = /^(\d{5})-(\d{10})$/;

/**
 * The object keys of one upload under a key prefix:
 * - `<prefix><id>`: the multipart upload, then the final object;
 * - `<prefix><id>.info`: the JSON record;
 * - `<prefix><id>.tail/<part>-<start>`: tail segments, the bytes of part
 *   `<part>` from `<start>` on that did not fill a part yet.
 *
 * @example
 * ```ts
 * const keys = new UploadKeys('uploads/', 'a1');
 * keys.info; // 'uploads/a1.info'
 * keys.tail(3, 0); // 'uploads/a1.tail/00003-0000000000'
 * ```
 */
export class UploadKeys {
  readonly object: string;
  readonly info: string;
  readonly tailPrefix: string;

  constructor(
    prefix: string,
    readonly id: string,
  ) {
    if (!SAFE_ID.test(id)) throw new TusError('not_found');
    this.object = `${prefix}${id}`;
    this.info = `${this.object}${INFO_SUFFIX}`;
    this.tailPrefix = `${this.object}.tail/`;
  }

  /** Key of the tail segment holding part `partNumber` from byte `start` of that part. */
  tail(partNumber: number, start: number): string {
    return `${this.tailPrefix}${String(partNumber).padStart(5, '0')}-${String(start).padStart(10, '0')}`;
  }

  /** Part number and start of a tail segment key; undefined for any other key. */
  parseTail(key: string): { partNumber: number; start: number } | undefined {
    if (!key.startsWith(this.tailPrefix)) return undefined;
    const match = TAIL_KEY.exec(key.slice(this.tailPrefix.length));
    return match ? { partNumber: Number(match[1]), start: Number(match[2]) } : undefined;
  }
}

/**
 * The upload id of an info object key directly under `prefix`, if it is one.
 *
 * @example
 * ```ts
 * idOfInfoKey('uploads/', 'uploads/a1.info'); // 'a1'
 * idOfInfoKey('uploads/', 'uploads/a1'); // undefined
 * ```
 */
export function idOfInfoKey(prefix: string, key: string): string | undefined {
  if (!key.startsWith(prefix) || !key.endsWith(INFO_SUFFIX)) return undefined;
  const id = key.slice(prefix.length, -INFO_SUFFIX.length);
  return SAFE_ID.test(id) ? id : undefined;
}
