import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { link, mkdir, readFile, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { isDownloadUrlStore, isReadableStore, TusError, type DataStore } from '@tuskit/core';
import type { Logger } from './config.js';
import type { AssetRecord } from './db.js';
import { ApiError } from './errors.js';
import type { ApiResponse } from './http.js';
import { parseRange } from './ranges.js';

/** Lifetime of a `download_url`. */
export const DOWNLOAD_TTL_SECONDS = 15 * 60;

/** Path of the signed links the API serves itself (stores without presigned URLs). */
export const DOWNLOADS_PATH = '/v1/downloads';

/**
 * `download_url`s: the store's own presigned URL when it has one (S3, GCS),
 * otherwise a link to {@link DOWNLOADS_PATH} signed with an HMAC over the
 * asset id and the expiry, served by {@link DownloadLinks.serve} without the
 * API key.
 *
 * When the store fails to sign (GCS credentials without a private key nor the
 * right to `signBlob`), the asset gets the API's own link instead; a failure
 * other than the store's own errors (`TusError`) means the credentials can
 * never sign, so it is logged once and the store is not asked again.
 *
 * @example
 * ```ts
 * const links = new DownloadLinks(store, await loadDownloadSecret(dataDir), logger);
 * asset.download_url = await links.urlFor(asset, 'http://127.0.0.1:1080');
 * ```
 */
export class DownloadLinks {
  readonly #store: DataStore;
  readonly #secret: Buffer;
  readonly #logger: Logger;
  #storeSigns: boolean;

  constructor(store: DataStore, secret: Buffer, logger: Logger) {
    this.#store = store;
    this.#secret = secret;
    this.#logger = logger;
    this.#storeSigns = isDownloadUrlStore(store);
  }

  /** A fresh 15-minute URL of a ready asset; `null` when the store can neither sign nor read. */
  async urlFor(asset: AssetRecord, origin: string, now = Date.now()): Promise<string | null> {
    const signed = await this.#storeUrl(asset);
    if (signed !== undefined) return signed;
    if (!isReadableStore(this.#store)) return null;
    const expires = Math.floor(now / 1000) + DOWNLOAD_TTL_SECONDS;
    const query = new URLSearchParams({ expires: String(expires), signature: this.#sign(asset.id, expires) });
    return `${origin}${DOWNLOADS_PATH}/${asset.id}?${query}`;
  }

  /**
   * Throws unless `query` carries a valid, unexpired signature for `id`, in
   * the one form {@link urlFor} writes: `expires` in plain decimal digits and
   * the signature's exact 43 base64url characters, each once. Any other
   * spelling of the same values (padding, a trailing character, `0x…`, `+N`,
   * `N.0`) is refused, so a link has exactly one valid form.
   */
  verify(id: string, query: URLSearchParams, now = Date.now()): void {
    const [expiresText, ...moreExpires] = query.getAll('expires');
    const [signature, ...moreSignatures] = query.getAll('signature');
    const canonical =
      moreExpires.length === 0 &&
      moreSignatures.length === 0 &&
      /^[1-9]\d{0,14}$/.test(expiresText ?? '') &&
      /^[A-Za-z0-9_-]{43}$/.test(signature ?? '');
    // Compared as text, not as decoded bytes: two spellings of one value must not both pass.
    const expected = canonical ? this.#sign(id, Number(expiresText)) : '';
    if (!canonical || !timingSafeEqual(Buffer.from(signature as string), Buffer.from(expected))) {
      throw new ApiError('invalid_signature');
    }
    if (Number(expiresText) * 1000 <= now) throw new ApiError('link_expired');
  }

  /**
   * Answers a signed download of a ready asset, honouring one `Range`:
   * 200 with the whole object, 206 with `Content-Range`, or 416. The bytes of
   * an asset never change, so its id is a strong `ETag`; a `Range` whose
   * `If-Range` is anything but that ETag gets the whole object (RFC 9110 §13.1.5).
   */
  async serve(asset: AssetRecord, method: string, rangeHeader: string | undefined, ifRange?: string): Promise<ApiResponse> {
    if (!isReadableStore(this.#store)) throw new ApiError('asset_not_found');
    const size = asset.upload_length;
    const etag = `"${asset.id}"`;
    const answer = ifRange === undefined || ifRange.trim() === etag ? parseRange(rangeHeader, size) : { kind: 'full' as const };
    if (answer.kind === 'unsatisfiable') {
      throw new ApiError('range_not_satisfiable', undefined, { 'Content-Range': `bytes */${size}` });
    }
    const range = answer.kind === 'partial' ? answer.range : { start: 0, end: size - 1 };
    const headers: Record<string, string> = {
      'Content-Type': asset.content_type ?? 'application/octet-stream',
      'Content-Length': String(range.end - range.start + 1),
      'Content-Disposition': `attachment; filename="${asset.id}.${asset.extension ?? 'bin'}"`,
      'Accept-Ranges': 'bytes',
      ETag: etag,
      'Cache-Control': 'private, max-age=60',
      ...(answer.kind === 'partial' && { 'Content-Range': `bytes ${range.start}-${range.end}/${size}` }),
    };
    const status = answer.kind === 'partial' ? 206 : 200;
    if (method === 'HEAD') return { status, headers };
    return { status, headers, body: await this.#store.read(asset.id, range) };
  }

  /** The store's presigned URL; `undefined` when it has none or could not sign. */
  async #storeUrl(asset: AssetRecord): Promise<string | undefined> {
    if (!this.#storeSigns || !isDownloadUrlStore(this.#store)) return undefined;
    try {
      return await this.#store.downloadUrl(asset.id, {
        expiresInSeconds: DOWNLOAD_TTL_SECONDS,
        ...(asset.content_type && { contentType: asset.content_type }),
      });
    } catch (error) {
      // A TusError is the store's outage of the moment; anything else, credentials that can never sign.
      const lasting = !(error instanceof TusError);
      if (lasting) this.#storeSigns = false;
      const scope = lasting ? 'every download from now on' : `asset ${asset.id}`;
      this.#logger.error(`the store could not sign a download URL: serving ${scope} through ${DOWNLOADS_PATH}`, error);
      return undefined;
    }
  }

  #sign(id: string, expires: number): string {
    return createHmac('sha256', this.#secret).update(`${id}:${expires}`).digest('base64url');
  }
}

/**
 * The server's signing secret, kept in `DATA_DIR` so links survive restarts;
 * created on first use.
 *
 * @example
 * ```ts
 * const secret = await loadDownloadSecret('./data');
 * ```
 */
export async function loadDownloadSecret(dataDir: string): Promise<Buffer> {
  const path = join(dataDir, 'download-secret');
  await mkdir(dataDir, { recursive: true });
  // Written aside, then linked into place: an instance starting next to this one (scale-out) sees no
  // file or the whole secret, never a half-written one.
  const draft = `${path}.${process.pid}.${randomBytes(4).toString('hex')}`;
  await writeFile(draft, randomBytes(32).toString('hex'), { flag: 'wx', mode: 0o600 });
  try {
    await link(draft, path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  } finally {
    await unlink(draft);
  }
  return Buffer.from((await readFile(path, 'utf8')).trim(), 'hex');
}
