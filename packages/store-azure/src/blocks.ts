import { randomBytes } from 'node:crypto';

const MiB = 1024 * 1024;

/** Most committed blocks one blob may have (an Azure limit). */
export const MAX_BLOCKS = 50_000;
/** Largest block Azure accepts (service version 2019-12-12 and later). */
export const MAX_BLOCK_SIZE = 4000 * MiB;
/**
 * Short blocks (smaller than the upload's block size) allowed at the end of
 * the list before they are merged into full blocks. Each PATCH ends with a
 * short block, so without merging, 50,000 PATCHes would exhaust a blob.
 */
export const MAX_SHORT_RUN = 32;
/** Digits of the zero-padded offsets in block ids: every id of a blob must have the same length. */
const OFFSET_DIGITS = 16;

/** A committed block, as Get Block List reports it. */
export interface Block {
  /** The base64 block id. */
  name: string;
  size: number;
}

/**
 * A block id naming the bytes `[start, end)` it holds, plus a random suffix
 * so that a block staged again (a retried PATCH) never collides with one
 * staged before. All ids have the same length, as Azure requires per blob.
 *
 * @example
 * ```ts
 * Buffer.from(blockId(0, 1024), 'base64').toString(); // '0000000000000000-0000000000001024-<8 hex>'
 * ```
 */
export function blockId(start: number, end: number): string {
  const name = `${pad(start)}-${pad(end)}-${randomBytes(4).toString('hex')}`;
  return Buffer.from(name).toString('base64');
}

/**
 * The block size for an upload of `size` bytes: the configured size, grown
 * for uploads so large that even in the worst case (every PATCH ending with a
 * short block next to a full one) the blob stays within {@link MAX_BLOCKS}.
 *
 * @example
 * ```ts
 * blockSizeFor(50 * 1024 ** 3, 8 * 1024 ** 2); // 8 MiB: at most ~12,800 blocks
 * ```
 */
export function blockSizeFor(size: number, configured: number): number {
  const needed = Math.ceil((2 * size) / (MAX_BLOCKS - 2 * MAX_SHORT_RUN));
  if (needed <= configured) return configured;
  return Math.min(MAX_BLOCK_SIZE, Math.ceil(needed / MiB) * MiB);
}

/**
 * The largest upload whose blocks fit one blob, by the rule of {@link blockSizeFor}.
 *
 * @example
 * ```ts
 * MAX_UPLOAD_SIZE; // ~95 TiB
 * ```
 */
export const MAX_UPLOAD_SIZE = Math.floor(((MAX_BLOCKS - 2 * MAX_SHORT_RUN) * MAX_BLOCK_SIZE) / 2);

/**
 * Where the trailing run of short blocks starts, when it has grown past
 * {@link MAX_SHORT_RUN} and should be merged; `undefined` otherwise.
 *
 * @example
 * ```ts
 * shortRunToMerge(blocks, 8 * 1024 ** 2); // { index: 40, start: 335544320 } or undefined
 * ```
 */
export function shortRunToMerge(blocks: readonly Block[], blockSize: number): { index: number; start: number } | undefined {
  let index = blocks.length;
  while (index > 0 && blocks[index - 1]!.size < blockSize) index--;
  if (blocks.length - index <= MAX_SHORT_RUN) return undefined;
  return { index, start: lengthOf(blocks.slice(0, index)) };
}

/**
 * The bytes a list of blocks holds.
 *
 * @example
 * ```ts
 * lengthOf([{ name: 'a', size: 10 }, { name: 'b', size: 5 }]); // 15
 * ```
 */
export function lengthOf(blocks: readonly Block[]): number {
  return blocks.reduce((sum, block) => sum + block.size, 0);
}

function pad(offset: number): string {
  return String(offset).padStart(OFFSET_DIGITS, '0');
}
