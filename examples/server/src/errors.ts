/**
 * Every error the REST endpoints answer with, by code. The TUS endpoints
 * answer with the core's codes in the same `{"error":{"code","message"}}`
 * shape, so a client handles both alike.
 */
export const API_ERRORS = {
  unauthorized: { status: 401, message: 'Send Authorization: Bearer <API key>.' },
  invalid_json: { status: 400, message: 'The body must be a JSON object.' },
  invalid_request: { status: 400, message: 'The request is malformed.' },
  size_too_small: { status: 400, message: 'size_bytes must be at least 64.' },
  size_too_large: { status: 413, message: 'size_bytes is above the maximum upload size.' },
  body_too_large: { status: 413, message: 'The request body is too large.' },
  body_timeout: { status: 408, message: 'The request body did not arrive in time.' },
  unsupported_content_type: { status: 415, message: 'Send the body as application/json.' },
  not_found: { status: 404, message: 'No such endpoint.' },
  project_not_found: { status: 404, message: 'No such project.' },
  asset_not_found: { status: 404, message: 'No such asset.' },
  asset_busy: { status: 409, message: 'The asset cannot be deleted in its current state.' },
  method_not_allowed: { status: 405, message: 'Method not allowed here.' },
  invalid_signature: { status: 403, message: 'The download link is invalid.' },
  link_expired: { status: 403, message: 'The download link has expired; fetch the asset for a new one.' },
  range_not_satisfiable: { status: 416, message: 'The requested range is not satisfiable.' },
  internal_error: { status: 500, message: 'Internal server error.' },
} as const satisfies Record<string, { status: number; message: string }>;

/** A named code of {@link API_ERRORS}. */
export type ApiErrorCode = keyof typeof API_ERRORS;

/**
 * The one error the REST layer throws to choose a response; anything else
 * becomes a bare 500.
 *
 * @example
 * ```ts
 * throw new ApiError('invalid_request', 'language must be an ISO 639-1 code such as "en".');
 * ```
 */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  readonly code: ApiErrorCode;
  readonly status: number;
  readonly headers: Record<string, string>;

  constructor(code: ApiErrorCode, message?: string, headers: Record<string, string> = {}) {
    super(message ?? API_ERRORS[code].message);
    this.code = code;
    this.status = API_ERRORS[code].status;
    this.headers = headers;
  }
}
