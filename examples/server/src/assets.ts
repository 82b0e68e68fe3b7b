import type { CreatedUpload, CreateUploadInput, DataStore } from '@tuskit/core';
import { v7 as uuidv7 } from 'uuid';
import type { AssetRecord, Catalog, ProjectRecord } from './db.js';
import type { DownloadLinks } from './downloads.js';
import { ApiError } from './errors.js';
import { readMediaFields, type AssetMediaFields } from './media-fields.js';
import { encodeCursor, type AssetInput, type AssetPageQuery, type ProjectInput } from './validation.js';

/** The asset as the API shows it. */
export type AssetJson = Omit<AssetRecord, 'upload_length' | 'media_details'> &
  AssetMediaFields & {
    upload_url: string | null;
    download_url: string | null;
  };

/** The part of the TUS engine the service uses (whatever the framework's context type). */
export interface UploadAllocator {
  createUpload(input: CreateUploadInput): Promise<CreatedUpload>;
  urlFor(id: string, origin?: string): string;
  readonly store: Pick<DataStore, 'open'>;
}

/** Options of {@link AssetService}. */
export interface AssetServiceOptions {
  catalog: Catalog;
  uploads: UploadAllocator;
  links: DownloadLinks;
  /** The public origin (`PUBLIC_URL`), known once the server listens. */
  origin: () => string;
}

/**
 * Projects and assets: creation (pre-allocating the asset's TUS upload) and
 * their JSON views. Framework-agnostic; the API routes call it.
 *
 * @example
 * ```ts
 * const service = new AssetService({ catalog, uploads: tus, links, origin: () => publicUrl });
 * const { asset, headers } = await service.createAsset({ projectId, sizeBytes: 1_000_000, language: 'en' });
 * ```
 */
export class AssetService {
  readonly #options: AssetServiceOptions;

  constructor(options: AssetServiceOptions) {
    this.#options = options;
  }

  async createProject(input: ProjectInput): Promise<ProjectRecord> {
    const project = { id: uuidv7(), name: input.name, created_at: new Date().toISOString() };
    await this.#options.catalog.insertProject(project);
    return project;
  }

  /** Creates the asset in `pending_upload` and its upload; `headers` go on the 201. */
  async createAsset(input: AssetInput): Promise<{ asset: AssetJson; headers: CreatedUpload['headers'] }> {
    const { catalog, uploads, origin } = this.#options;
    if (!(await catalog.findProject(input.projectId))) throw new ApiError('project_not_found');
    const id = uuidv7();
    const created = await uploads.createUpload({ size: input.sizeBytes, id, origin: origin() });
    const asset: AssetRecord = {
      id,
      project_id: input.projectId,
      type: null,
      state: 'pending_upload',
      extension: null,
      size_bytes: null,
      content_type: null,
      duration_seconds: null,
      language: input.language,
      error_code: null,
      error_message: null,
      created_at: created.upload.createdAt.toISOString(),
      upload_length: input.sizeBytes,
      media_details: null,
    };
    try {
      await catalog.insertAsset(asset);
    } catch (error) {
      await (await uploads.store.open(id))?.remove();
      throw error;
    }
    return { asset: await this.view(asset), headers: created.headers };
  }

  async getAsset(id: string): Promise<AssetJson> {
    const asset = await this.#options.catalog.findAsset(id);
    if (!asset) throw new ApiError('asset_not_found');
    return this.view(asset);
  }

  /** One page of assets, newest first, and the cursor of the next one (`null` on the last page). */
  async listAssets(query: AssetPageQuery): Promise<{ data: AssetJson[]; next_cursor: string | null }> {
    // One more than the page: whether there is a next page, without a count.
    const found = await this.#options.catalog.listAssets({ ...query, limit: query.limit + 1 });
    const page = found.slice(0, query.limit);
    const last = page.at(-1);
    return {
      data: await Promise.all(page.map((asset) => this.view(asset))),
      next_cursor: found.length > query.limit && last ? encodeCursor({ createdAt: last.created_at, id: last.id }) : null,
    };
  }

  /**
   * Deletes a `ready` or `failed` asset and whatever its upload left in the
   * store. An asset still uploading is cancelled through its upload (a TUS
   * DELETE of `upload_url`, which holds the upload's lock); one being
   * processed is deleted once it is done.
   */
  async deleteAsset(id: string): Promise<void> {
    const { catalog, uploads } = this.#options;
    const asset = await catalog.findAsset(id);
    if (!asset) throw new ApiError('asset_not_found');
    if (asset.state === 'pending_upload') throw new ApiError('asset_busy', 'The asset is uploading: cancel it with a TUS DELETE of its upload_url.');
    if (asset.state === 'processing') throw new ApiError('asset_busy', 'The asset is being processed; delete it once it is ready or failed.');
    // The bytes first: `ready` and `failed` never change, and a store failure leaves the asset to delete again.
    await (await uploads.store.open(id))?.remove();
    await catalog.deleteAsset(id);
  }

  /** A ready asset, for its signed download; 404 otherwise. */
  async readyAsset(id: string): Promise<AssetRecord> {
    const asset = await this.#options.catalog.findAsset(id);
    if (asset?.state !== 'ready') throw new ApiError('asset_not_found');
    return asset;
  }

  async view(asset: AssetRecord): Promise<AssetJson> {
    const { upload_length: _, media_details, ...fields } = asset;
    const { uploads, links, origin } = this.#options;
    return {
      ...fields,
      ...readMediaFields(media_details),
      upload_url: asset.state === 'pending_upload' ? uploads.urlFor(asset.id, origin()) : null,
      download_url: asset.state === 'ready' ? await links.urlFor(asset, origin()) : null,
    };
  }
}
