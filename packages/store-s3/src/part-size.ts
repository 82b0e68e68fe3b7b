const MiB = 1024 * 1024;

/**
 * S3's smallest part (all but the last part of a multipart upload): 5 MiB.
 *
 * @example
 * ```ts
 * new S3Store({ bucket, partSize: MIN_PART_SIZE }); // the least memory per PATCH
 * ```
 */
export const MIN_PART_SIZE = 5 * MiB;
/**
 * S3's largest part: 5 GiB.
 *
 * @example
 * ```ts
 * partSizeFor(size, preferred) <= MAX_PART_SIZE; // always
 * ```
 */
export const MAX_PART_SIZE = 5 * 1024 * MiB;
/**
 * S3's limit on parts per multipart upload.
 *
 * @example
 * ```ts
 * Math.ceil(size / partSizeFor(size, preferred)) <= MAX_PARTS; // always
 * ```
 */
export const MAX_PARTS = 10_000;
/** S3's largest object: 5 TiB. */
export const MAX_OBJECT_SIZE = 5 * 1024 * 1024 * MiB;
/**
 * Default preferred part size: 8 MiB.
 *
 * @example
 * ```ts
 * new S3Store({ bucket, partSize: 2 * DEFAULT_PART_SIZE });
 * ```
 */
export const DEFAULT_PART_SIZE = 8 * MiB;

/**
 * The part size of one upload: the preferred size, grown (in whole MiB) when
 * the upload would otherwise need more than 10,000 parts. Chosen once at
 * creation and stored with the upload, so a changed option never breaks a
 * resume.
 *
 * @example
 * ```ts
 * partSizeFor(1024 ** 3, 8 * 1024 ** 2); // 8 MiB: 128 parts
 * partSizeFor(100 * 1024 ** 3, 8 * 1024 ** 2); // 11 MiB: 9,310 parts
 * ```
 */
export function partSizeFor(uploadSize: number, preferred: number): number {
  const needed = Math.ceil(Math.ceil(uploadSize / MAX_PARTS) / MiB) * MiB;
  return Math.min(MAX_PART_SIZE, Math.max(preferred, needed, MIN_PART_SIZE));
}

/** Where a PATCH ends inside a part that is not full. */
export interface ShortPart {
  /** Number of the part being filled. */
  partNumber: number;
  /** Bytes it holds. */
  length: number;
  /** Bytes of the upload after it. */
  remaining: number;
  /** The upload's part size. */
  partSize: number;
}

/**
 * Whether a part that ends a PATCH short of the part size may still be cut
 * (unequal parts): S3 accepts it when it holds at least 5 MiB, and it is only
 * cut when the rest of the upload still fits in 10,000 parts of `partSize`,
 * so many short PATCHes can never exhaust the part numbers.
 *
 * @example
 * ```ts
 * mayCutShortPart({ partNumber: 2, length: 6 * 1024 ** 2, remaining: 0, partSize: 8 * 1024 ** 2 }); // true
 * ```
 */
export function mayCutShortPart(part: ShortPart): boolean {
  if (part.length < MIN_PART_SIZE) return false;
  return part.partNumber + Math.ceil(part.remaining / part.partSize) <= MAX_PARTS;
}
