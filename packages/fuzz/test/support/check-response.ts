import { TUS_ERRORS } from '@tuskit/core';
import { headerOf, type RawResponse } from './raw-http.js';

/** A violated invariant; the message says which and shows the evidence. */
export class InvariantError extends Error {
  override name = 'InvariantError';
}

/** How many invariant checks ran (all of them passed, or the run stopped). */
export const invariantsChecked = { count: 0 };

/** Throws an {@link InvariantError} unless `condition` holds. */
export function invariant(condition: unknown, message: string, evidence?: unknown): asserts condition {
  invariantsChecked.count += 1;
  if (!condition) {
    const shown = evidence === undefined ? '' : `\n${JSON.stringify(evidence, replacer, 2).slice(0, 4000)}`;
    throw new InvariantError(`${message}${shown}`);
  }
}

/** Every header name the core or Node may send; anything else was injected. */
const RESPONSE_HEADERS = new Set([
  'content-type', 'content-length', 'tus-resumable', 'tus-version', 'tus-extension', 'tus-max-size',
  'upload-offset', 'upload-length', 'upload-expires', 'upload-metadata', 'location', 'cache-control', 'allow',
  'access-control-allow-origin', 'access-control-expose-headers', 'access-control-allow-methods',
  'access-control-allow-headers', 'access-control-max-age', 'vary', 'date', 'connection', 'keep-alive',
  'transfer-encoding', 'tus-checksum-algorithm', 'upload-defer-length', 'upload-concat',
]);

/** Statuses Node's own parser answers with before the core sees a request. */
const PARSER_STATUSES = new Set([400, 408, 413, 414, 431, 501, 505]);

/** True for Node's parser-level rejection: no Tus-Resumable, no body, connection closed. */
export function isParserRejection(response: RawResponse): boolean {
  return (
    PARSER_STATUSES.has(response.status) &&
    headerOf(response, 'tus-resumable') === undefined &&
    response.body.length === 0 &&
    headerOf(response, 'connection') === 'close'
  );
}

/**
 * The invariants of any answer from the core: no 5xx, exactly one
 * `Tus-Resumable: 1.0.0`, no injected header, and errors as JSON
 * `{error:{code,message}}` whose code matches the status.
 */
export function checkCoreResponse(response: RawResponse, method: string): void {
  const { status, headers } = response;
  invariant(status < 500, `5xx from the core: ${status}`, response);
  const versions = headers.filter(([name]) => name === 'tus-resumable');
  invariant(versions.length === 1 && versions[0]?.[1] === '1.0.0', 'response without exactly one Tus-Resumable: 1.0.0', response);
  const unknown = headers.filter(([name]) => !RESPONSE_HEADERS.has(name));
  invariant(unknown.length === 0, 'response carries a header the core never sends (response splitting?)', response);
  const location = headerOf(response, 'location');
  invariant(location === undefined || /^https?:\/\/[A-Za-z0-9.\-:[\]]+\/v1\/uploads\/[A-Za-z0-9_-]{1,128}$/.test(location), 'malformed Location', response);
  if (status === 412) invariant(headerOf(response, 'tus-version') === '1.0.0', '412 without Tus-Version', response);
  if (status === 405) invariant(headerOf(response, 'allow') !== undefined, '405 without Allow', response);
  if (status >= 400) checkErrorBody(response, method);
}

function checkErrorBody(response: RawResponse, method: string): void {
  invariant(headerOf(response, 'content-type') === 'application/json', 'error without a JSON content type', response);
  if (method.toUpperCase() === 'HEAD') {
    invariant(response.body.length === 0, 'HEAD answer with a body', response);
    return;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(response.body.toString('utf8'));
  } catch {
    invariant(false, 'error body is not JSON', response);
  }
  const error = (parsed as { error?: { code?: unknown; message?: unknown } } | null)?.error;
  invariant(typeof error?.code === 'string' && typeof error.message === 'string', 'error body is not {error:{code,message}}', response);
  const known = TUS_ERRORS[error.code as keyof typeof TUS_ERRORS];
  invariant(known?.status === response.status, `error code ${error.code} does not match status ${response.status}`, response);
}

/** The `error.code` of a core error answer. */
export function errorCode(response: RawResponse): string | undefined {
  try {
    return (JSON.parse(response.body.toString('utf8')) as { error?: { code?: string } }).error?.code;
  } catch {
    return undefined;
  }
}

function replacer(_key: string, value: unknown): unknown {
  if (value && typeof value === 'object' && (value as { type?: string }).type === 'Buffer') {
    const bytes = Buffer.from((value as { data: number[] }).data);
    return `${bytes.length} bytes: ${JSON.stringify(bytes.subarray(0, 80).toString('latin1'))}`;
  }
  return value;
}
