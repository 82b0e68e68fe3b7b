/**
 * Every error the core can answer with, as a table of named codes. Each code
 * has one HTTP status and one human sentence; responses carry both as
 * `{"error":{"code","message"}}`.
 *
 * @example
 * ```ts
 * import { TUS_ERRORS } from '@tuskit/core';
 * TUS_ERRORS.offset_mismatch.status; // 409
 * ```
 */
export const TUS_ERRORS = {
  unauthorized: { status: 401, message: 'Missing or invalid credentials.' },
  unsupported_version: { status: 412, message: 'Tus-Resumable must be 1.0.0.' },
  not_found: { status: 404, message: 'No such upload.' },
  method_not_allowed: { status: 405, message: 'Method not allowed here.' },
  expired: { status: 410, message: 'The upload has expired.' },
  unsupported_content_type: {
    status: 415,
    message: 'PATCH bodies must be sent as application/offset+octet-stream.',
  },
  invalid_offset: { status: 400, message: 'Upload-Offset must be a non-negative integer.' },
  offset_mismatch: { status: 409, message: 'Upload-Offset does not match the stored offset.' },
  length_exceeded: { status: 413, message: 'The body goes past Upload-Length.' },
  first_chunk_too_short: {
    status: 400,
    message: 'The first chunk is too short to check its format.',
  },
  unsupported_media_type: {
    status: 409,
    message: 'The first chunk is not of an accepted format.',
  },
  locked: { status: 423, message: 'The upload is busy with another request.' },
  invalid_length: { status: 400, message: 'Upload-Length must be a non-negative integer.' },
  invalid_metadata: { status: 400, message: 'Upload-Metadata is malformed.' },
  invalid_id: { status: 400, message: 'Upload ids are 1-128 letters, digits, "-" or "_".' },
  length_mismatch: { status: 400, message: 'Upload-Length differs from the length the upload already has.' },
  size_too_small: { status: 400, message: 'The upload is smaller than the minimum size.' },
  size_too_large: { status: 413, message: 'The upload is larger than the maximum size.' },
  upload_exists: { status: 409, message: 'An upload with this id already exists.' },
  range_not_satisfiable: { status: 416, message: 'The requested range is outside the upload.' },
  refused: { status: 403, message: 'The server refused this request.' },
  termination_refused: { status: 403, message: 'A finished upload cannot be terminated.' },
  upload_stopped: { status: 400, message: 'The server stopped this upload.' },
  checksum_algorithm_unsupported: { status: 400, message: 'The Upload-Checksum algorithm is not supported.' },
  invalid_checksum: { status: 400, message: 'Upload-Checksum must be "<algorithm> <base64 digest>".' },
  checksum_mismatch: { status: 460, message: 'The body does not match Upload-Checksum; none of it was stored.' },
  invalid_concat: {
    status: 400,
    message: 'Upload-Concat must be "partial", or "final;" and the URLs of partial uploads of this server, without Upload-Length.',
  },
  concat_not_partial: { status: 400, message: 'An upload named in Upload-Concat is not a partial upload.' },
  concat_unfinished: { status: 400, message: 'A partial upload named in Upload-Concat is not complete.' },
  final_upload_immutable: { status: 403, message: 'A final upload is assembled by the server: it takes no PATCH.' },
  extension_unsupported: { status: 400, message: 'The request uses a TUS extension this server does not offer.' },
  storage_full: {
    status: 507,
    message: 'The storage is full. Every byte received so far is kept: resume from Upload-Offset later.',
  },
  upload_unreadable: {
    status: 500,
    message: "The server cannot read this upload's stored record; its operator has been told.",
  },
  store_unavailable: { status: 503, message: 'The storage backend is unavailable; retry later.' },
  body_consumed: {
    status: 500,
    message: 'The request body was read by other middleware before tuskit; mount tuskit before body parsers.',
  },
  internal_error: { status: 500, message: 'Internal server error.' },
} as const satisfies Record<string, { status: number; message: string }>;

/** A named error code of {@link TUS_ERRORS}. */
export type TusErrorCode = keyof typeof TUS_ERRORS;

/**
 * The one error type of tuskit. Stores, lockers and hooks throw it to choose
 * the response; anything else thrown becomes `internal_error` (500) with no
 * details leaked.
 *
 * @example
 * ```ts
 * throw new TusError('not_found');
 * throw new TusError('size_too_large', 'Files over 2 GiB need a paid plan.');
 * throw new TusError('refused', 'Your quota is used up.', { status: 402 }); // from a hook
 * ```
 */
export class TusError extends Error {
  readonly code: TusErrorCode;
  readonly status: number;

  constructor(code: TusErrorCode, message?: string, options?: TusErrorOptions) {
    super(message ?? TUS_ERRORS[code].message, options);
    this.name = 'TusError';
    this.code = code;
    this.status = validStatus(options?.status) ?? TUS_ERRORS[code].status;
  }
}

/**
 * Options of {@link TusError}: `status` answers with another 4xx/5xx status
 * than the code's own (a hook refusing with 402 or 429, say).
 *
 * @example
 * ```ts
 * const options: TusErrorOptions = { status: 429, cause: error };
 * ```
 */
export interface TusErrorOptions extends ErrorOptions {
  status?: number;
}

function validStatus(status: number | undefined): number | undefined {
  return status !== undefined && Number.isInteger(status) && status >= 400 && status <= 599 ? status : undefined;
}

/**
 * True when `error` is a {@link TusError}, optionally of one code.
 *
 * @example
 * ```ts
 * if (isTusError(err, 'not_found')) return undefined;
 * ```
 */
export function isTusError(error: unknown, code?: TusErrorCode): error is TusError {
  return error instanceof TusError && (code === undefined || error.code === code);
}
