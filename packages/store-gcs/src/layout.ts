/** Digits of the zero-padded offsets in part names: lexical order equals numeric order up to 10^16 bytes. */
const OFFSET_DIGITS = 16;
const PART_NAME = /^(\d{16})-(\d{16})$/;
const INFO_NAME = 'info';

/** What a name under the staging root is, for one upload. */
export type StagingEntry =
  | { id: string; kind: 'info' }
  | { id: string; kind: 'part'; start: number; end: number }
  | { id: string; kind: 'other' };

/**
 * Where an upload's objects live in the bucket:
 *
 * - `{keyPrefix}{id}`: the finished object, created by finalization;
 * - `{keyPrefix}.tus/{id}/info`: the upload's record while it is incomplete;
 * - `{keyPrefix}.tus/{id}/{start}-{end}`: immutable parts holding bytes `[start, end)`.
 *
 * Staging lives under its own root so that listing incomplete uploads never
 * pages through finished objects, and so that a bucket lifecycle rule can
 * target it.
 *
 * @example
 * ```ts
 * const layout = new ObjectLayout('media/');
 * layout.partName('a1', 0, 1024); // 'media/.tus/a1/0000000000000000-0000000000001024'
 * ```
 */
export class ObjectLayout {
  constructor(readonly keyPrefix: string) {}

  /** The prefix under which every incomplete upload keeps its objects. */
  get stagingRoot(): string {
    return `${this.keyPrefix}.tus/`;
  }

  finalName(id: string): string {
    return `${this.keyPrefix}${id}`;
  }

  stagingPrefix(id: string): string {
    return `${this.stagingRoot}${id}/`;
  }

  infoName(id: string): string {
    return `${this.stagingPrefix(id)}${INFO_NAME}`;
  }

  partName(id: string, start: number, end: number): string {
    return `${this.stagingPrefix(id)}${pad(start)}-${pad(end)}`;
  }

  /** Classifies an object name under the staging root; `undefined` for names outside it. */
  parseStaging(name: string): StagingEntry | undefined {
    if (!name.startsWith(this.stagingRoot)) return undefined;
    const rest = name.slice(this.stagingRoot.length);
    const slash = rest.indexOf('/');
    if (slash <= 0) return undefined;
    const id = rest.slice(0, slash);
    const leaf = rest.slice(slash + 1);
    if (leaf === INFO_NAME) return { id, kind: 'info' };
    const range = PART_NAME.exec(leaf);
    const start = Number(range?.[1]);
    const end = Number(range?.[2]);
    // An empty or inverted range would stall the chain walk; treat it as debris.
    if (range && end > start) return { id, kind: 'part', start, end };
    return { id, kind: 'other' };
  }
}

function pad(offset: number): string {
  return String(offset).padStart(OFFSET_DIGITS, '0');
}
