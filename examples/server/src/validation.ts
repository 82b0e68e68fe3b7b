import { MIN_UPLOAD_SIZE } from '@tuskit/core';
import { validate as isUuid } from 'uuid';
import { ApiError } from './errors.js';

/** The life of an asset, in order. */
export const ASSET_STATES = ['pending_upload', 'processing', 'ready', 'failed'] as const;
/** One of {@link ASSET_STATES}. */
export type AssetState = (typeof ASSET_STATES)[number];

/** A valid `POST /v1/projects` body. */
export interface ProjectInput {
  name: string | null;
}

/** A valid `POST /v1/assets` body. */
export interface AssetInput {
  projectId: string;
  sizeBytes: number;
  language: string | null;
}

/** The filters of `GET /v1/assets`. */
export interface AssetFilter {
  state?: AssetState | undefined;
  projectId?: string | undefined;
}

/** Where a page of `GET /v1/assets` starts: after the asset with this `created_at` and `id`. */
export interface AssetCursor {
  createdAt: string;
  id: string;
}

/** A page of `GET /v1/assets`: its filters, its size and where it starts. */
export interface AssetPageQuery extends AssetFilter {
  limit: number;
  after?: AssetCursor | undefined;
}

/** Assets per page of `GET /v1/assets` without `limit`. */
export const DEFAULT_PAGE_SIZE = 50;
/** The largest `limit` of `GET /v1/assets`. */
export const MAX_PAGE_SIZE = 200;

const MAX_NAME_LENGTH = 200;

/**
 * Checks a `POST /v1/projects` body: `{ "name"?: string }`.
 *
 * @example
 * ```ts
 * parseProjectInput({ name: 'Podcast' }); // { name: 'Podcast' }
 * ```
 */
export function parseProjectInput(body: unknown): ProjectInput {
  const fields = objectWith(body, ['name']);
  if (fields.name === undefined || fields.name === null) return { name: null };
  if (typeof fields.name !== 'string' || fields.name.trim() === '' || fields.name.length > MAX_NAME_LENGTH) {
    throw new ApiError('invalid_request', `name must be a non-empty string of at most ${MAX_NAME_LENGTH} characters.`);
  }
  return { name: fields.name };
}

/**
 * Checks a `POST /v1/assets` body: `{ project_id, size_bytes, language? }`.
 * `size_bytes` must be a JSON integer from 64 to `maxSize`.
 *
 * @example
 * ```ts
 * parseAssetInput({ project_id: id, size_bytes: 1_000_000, language: 'en' }, 50 * 1024 ** 3);
 * ```
 */
export function parseAssetInput(body: unknown, maxSize: number): AssetInput {
  const fields = objectWith(body, ['project_id', 'size_bytes', 'language']);
  const projectId = fields.project_id;
  if (typeof projectId !== 'string' || !isUuid(projectId)) {
    throw new ApiError('invalid_request', 'project_id must be the id of a project (a UUID string).');
  }
  return { projectId, sizeBytes: checkSize(fields.size_bytes, maxSize), language: checkLanguage(fields.language) };
}

/**
 * Checks the query of `GET /v1/assets`: optional `state`, `project_id`,
 * `limit` (1 to {@link MAX_PAGE_SIZE}, default {@link DEFAULT_PAGE_SIZE}) and
 * `cursor` (a `next_cursor` the API returned).
 *
 * @example
 * ```ts
 * parseAssetQuery(new URLSearchParams('state=ready&limit=20')); // { state: 'ready', limit: 20 }
 * ```
 */
export function parseAssetQuery(query: URLSearchParams): AssetPageQuery {
  const limitText = single(query, 'limit');
  const cursor = single(query, 'cursor');
  const limit = limitText === undefined ? DEFAULT_PAGE_SIZE : Number(limitText);
  if (limitText !== undefined && (!/^[1-9]\d{0,3}$/.test(limitText) || limit > MAX_PAGE_SIZE)) {
    throw new ApiError('invalid_request', `limit must be a whole number from 1 to ${MAX_PAGE_SIZE}.`);
  }
  return { ...parseAssetFilter(query), limit, ...(cursor !== undefined && { after: decodeCursor(cursor) }) };
}

/**
 * The opaque `next_cursor` of a page that ends with `last`.
 *
 * @example
 * ```ts
 * const next = encodeCursor({ createdAt: asset.created_at, id: asset.id });
 * ```
 */
export function encodeCursor(last: AssetCursor): string {
  return Buffer.from(JSON.stringify([last.createdAt, last.id])).toString('base64url');
}

function decodeCursor(text: string): AssetCursor {
  let fields: unknown;
  try {
    fields = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
  } catch {
    fields = undefined;
  }
  const [createdAt, id] = Array.isArray(fields) && fields.length === 2 ? fields : [];
  const valid = typeof createdAt === 'string' && !Number.isNaN(Date.parse(createdAt)) && typeof id === 'string' && isUuid(id);
  if (!valid || encodeCursor({ createdAt, id }) !== text) {
    throw new ApiError('invalid_request', 'cursor must be a next_cursor this API returned.');
  }
  return { createdAt, id };
}

function parseAssetFilter(query: URLSearchParams): AssetFilter {
  const state = single(query, 'state');
  const projectId = single(query, 'project_id');
  if (state !== undefined && !(ASSET_STATES as readonly string[]).includes(state)) {
    throw new ApiError('invalid_request', `state must be one of ${ASSET_STATES.join(', ')}.`);
  }
  if (projectId !== undefined && !isUuid(projectId)) {
    throw new ApiError('invalid_request', 'project_id must be a UUID.');
  }
  return { state: state as AssetState | undefined, projectId };
}

function checkSize(value: unknown, maxSize: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value)) {
    throw new ApiError('invalid_request', 'size_bytes must be a JSON integer (the total size of the file in bytes).');
  }
  if (value < MIN_UPLOAD_SIZE) throw new ApiError('size_too_small', `size_bytes must be at least ${MIN_UPLOAD_SIZE}.`);
  if (value > maxSize) throw new ApiError('size_too_large', `size_bytes must be at most ${maxSize}.`);
  return value;
}

function checkLanguage(value: unknown): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string' || !/^[a-z]{2}$/.test(value)) {
    throw new ApiError('invalid_request', 'language must be an ISO 639-1 code: two lowercase letters such as "en".');
  }
  return value;
}

/** The body as an object with only the named fields (an unknown field is most likely a typo). */
function objectWith(body: unknown, allowed: readonly string[]): Record<string, unknown> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new ApiError('invalid_json');
  const unknown = Object.keys(body).filter((key) => !allowed.includes(key));
  if (unknown.length > 0) {
    throw new ApiError('invalid_request', `Unknown field ${unknown.join(', ')}; expected ${allowed.join(', ')}.`);
  }
  return body as Record<string, unknown>;
}

function single(query: URLSearchParams, name: string): string | undefined {
  const values = query.getAll(name);
  if (values.length > 1) throw new ApiError('invalid_request', `${name} may be given once.`);
  return values[0];
}
