import { join } from 'node:path';
import { migrate } from './sql/migrations.js';
import { openPostgres } from './sql/postgres.js';
import { openSqlite } from './sql/sqlite.js';
import type { SqlDatabase } from './sql/database.js';
import type { AssetPageQuery, AssetState } from './validation.js';

/** A row of `projects`. */
export interface ProjectRecord {
  id: string;
  name: string | null;
  created_at: string;
}

/** A row of `assets`: the asset's JSON fields that are stored, plus the declared upload length. */
export interface AssetRecord {
  id: string;
  project_id: string;
  type: 'audio' | 'video' | null;
  state: AssetState;
  extension: string | null;
  size_bytes: number | null;
  content_type: string | null;
  duration_seconds: string | null;
  language: string | null;
  error_code: string | null;
  error_message: string | null;
  created_at: string;
  upload_length: number;
  /** The stream fields the probe found (JSON of `AssetMediaFields`); `null` until measured. */
  media_details: string | null;
}

/** An asset in `processing` that this instance holds the lease of. */
export interface ClaimedAsset extends AssetRecord {
  claimed_by: string;
  claim_expires_at: number;
}

/** Columns a state transition may change. */
export type AssetChanges = Partial<Omit<AssetRecord, 'id' | 'project_id' | 'language' | 'created_at' | 'upload_length'>>;

/** The columns of an asset the API and the hooks read (not the lease). */
const ASSET_COLUMNS =
  'id, project_id, type, state, extension, size_bytes, content_type, duration_seconds, language, error_code, error_message, created_at, upload_length, media_details';

/**
 * Projects and assets, in SQLite (embedded, the default) or PostgreSQL
 * (`DATABASE_URL`), with the same queries on both. Every state change
 * applies only from the state it expects, so instances and late events
 * never undo each other; measuring an asset is leased to one instance at a
 * time ({@link Catalog.claimProcessing}).
 *
 * @example
 * ```ts
 * const catalog = await openCatalog({ dataDir: './data' });
 * await catalog.insertProject({ id, name: 'Podcast', created_at: new Date().toISOString() });
 * ```
 */
export class Catalog {
  readonly #db: SqlDatabase;

  constructor(db: SqlDatabase) {
    this.#db = db;
  }

  /** `sqlite` or `postgres`. */
  get dialect(): SqlDatabase['dialect'] {
    return this.#db.dialect;
  }

  async insertProject(project: ProjectRecord): Promise<void> {
    await this.#insert('projects', project);
  }

  async findProject(id: string): Promise<ProjectRecord | undefined> {
    const [project] = await this.#db.all<ProjectRecord>('SELECT id, name, created_at FROM projects WHERE id = ?', [id]);
    return project;
  }

  async insertAsset(asset: AssetRecord): Promise<void> {
    await this.#insert('assets', asset);
  }

  async findAsset(id: string): Promise<AssetRecord | undefined> {
    const [asset] = await this.#db.all<AssetRecord>(`SELECT ${ASSET_COLUMNS} FROM assets WHERE id = ?`, [id]);
    return asset;
  }

  /**
   * A page of assets, newest first (UUIDv7 ids break ties within one
   * millisecond), starting after `query.after`: a keyset page, so assets
   * created or deleted meanwhile never shift the next page.
   */
  async listAssets(query: AssetPageQuery): Promise<AssetRecord[]> {
    const sql = `SELECT ${ASSET_COLUMNS} FROM assets
      WHERE (CAST(? AS TEXT) IS NULL OR state = ?) AND (CAST(? AS TEXT) IS NULL OR project_id = ?)
        AND (CAST(? AS TEXT) IS NULL OR created_at < ? OR (created_at = ? AND id < ?))
      ORDER BY created_at DESC, id DESC LIMIT ?`;
    const state = query.state ?? null;
    const projectId = query.projectId ?? null;
    const after = query.after?.createdAt ?? null;
    const afterId = query.after?.id ?? null;
    return this.#db.all<AssetRecord>(sql, [state, state, projectId, projectId, after, after, after, afterId, query.limit]);
  }

  /**
   * Applies `changes` only while the asset is in state `from`, so a late
   * event can never undo a later one. Returns whether a row changed.
   */
  async transition(id: string, from: AssetState, changes: AssetChanges): Promise<boolean> {
    const [assignments, values] = assignmentsOf(changes);
    return (await this.#db.run(`UPDATE assets SET ${assignments} WHERE id = ? AND state = ?`, [...values, id, from])) > 0;
  }

  async deleteAsset(id: string): Promise<void> {
    await this.#db.run('DELETE FROM assets WHERE id = ?', [id]);
  }

  /** The ids of the assets in `state`, oldest first. */
  async idsInState(state: AssetState): Promise<string[]> {
    const rows = await this.#db.all<{ id: string }>('SELECT id FROM assets WHERE state = ? ORDER BY created_at', [state]);
    return rows.map((row) => row.id);
  }

  /**
   * Takes the lease `name` for `owner` until `now + leaseMs` unless another
   * holder's lease still runs; returns whether `owner` holds it now. Work
   * one instance does for all (a periodic sweep) goes to whichever instance
   * takes the lease first.
   */
  async claimLease(name: string, owner: string, leaseMs: number, now = Date.now()): Promise<boolean> {
    const sql = `INSERT INTO leases (name, holder, expires_at) VALUES (?, ?, ?)
      ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at
      WHERE leases.expires_at <= ? OR leases.holder = excluded.holder`;
    return (await this.#db.run(sql, [name, owner, now + leaseMs, now])) > 0;
  }

  /**
   * Leases the oldest asset in `processing` that no instance holds (or
   * whose holder's lease ran out: it died) to `owner` until `now + leaseMs`.
   * Instances claiming together never get the same asset: PostgreSQL skips
   * rows another transaction has locked, SQLite runs one writer at a time.
   */
  async claimProcessing(owner: string, leaseMs: number, now = Date.now()): Promise<ClaimedAsset | undefined> {
    const pick = `SELECT id FROM assets WHERE state = 'processing' AND (claim_expires_at IS NULL OR claim_expires_at <= ?)
      ORDER BY created_at LIMIT 1${this.#db.dialect === 'postgres' ? ' FOR UPDATE SKIP LOCKED' : ''}`;
    const sql = `UPDATE assets SET claimed_by = ?, claim_expires_at = ? WHERE id = (${pick})
      RETURNING ${ASSET_COLUMNS}, claimed_by, claim_expires_at`;
    const [claimed] = await this.#db.all<ClaimedAsset>(sql, [owner, now + leaseMs, now]);
    return claimed;
  }

  /** Extends `owner`'s lease of asset `id`; false when it no longer holds it. */
  async renewClaim(id: string, owner: string, leaseMs: number, now = Date.now()): Promise<boolean> {
    const sql = `UPDATE assets SET claim_expires_at = ? WHERE id = ? AND state = 'processing' AND claimed_by = ?`;
    return (await this.#db.run(sql, [now + leaseMs, id, owner])) > 0;
  }

  /**
   * Moves a claimed asset out of `processing` with `changes`, only while
   * `owner` still holds its lease: an instance that lost its lease (it was
   * too slow) never finishes an asset another instance measures.
   */
  async finishClaim(id: string, owner: string, changes: AssetChanges): Promise<boolean> {
    const [assignments, values] = assignmentsOf({ ...changes, claimed_by: null, claim_expires_at: null });
    const sql = `UPDATE assets SET ${assignments} WHERE id = ? AND state = 'processing' AND claimed_by = ?`;
    return (await this.#db.run(sql, [...values, id, owner])) > 0;
  }

  /** Lets go of `owner`'s lease at once (a shutdown), so that another instance can take the asset. */
  async releaseClaim(id: string, owner: string): Promise<void> {
    await this.#db.run('UPDATE assets SET claimed_by = NULL, claim_expires_at = NULL WHERE id = ? AND claimed_by = ?', [id, owner]);
  }

  close(): Promise<void> {
    return this.#db.close();
  }

  /** Column names come from our own typed records, never from a request. */
  async #insert(table: string, record: object): Promise<void> {
    const columns = Object.keys(record);
    const sql = `INSERT INTO ${table} (${columns.join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`;
    await this.#db.run(sql, Object.values(record));
  }
}

/** `a = ?, b = ?` and the values, in the same order (column names from our own types). */
function assignmentsOf(changes: object): [string, unknown[]] {
  const entries = Object.entries(changes);
  return [entries.map(([column]) => `${column} = ?`).join(', '), entries.map(([, value]) => value)];
}

/** Options of {@link openCatalog}. */
export interface CatalogOptions {
  /** `postgres://…`: the catalog lives in PostgreSQL. Default: SQLite in `dataDir/api.sqlite`. */
  databaseUrl?: string;
  dataDir: string;
  /** Reports errors of idle database connections. */
  onError?: (error: Error) => void;
}

/**
 * Opens the catalog and brings its schema to the newest version.
 *
 * @example
 * ```ts
 * const catalog = await openCatalog({ dataDir: './data' }); // SQLite
 * const shared = await openCatalog({ dataDir: './data', databaseUrl: process.env.DATABASE_URL });
 * ```
 */
export async function openCatalog(options: CatalogOptions): Promise<Catalog> {
  const db = options.databaseUrl
    ? openPostgres(options.databaseUrl, { onError: options.onError ?? (() => {}) })
    : openSqlite(join(options.dataDir, 'api.sqlite'));
  try {
    await migrate(db);
  } catch (error) {
    await db.close();
    throw error;
  }
  return new Catalog(db);
}
