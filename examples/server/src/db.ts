import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import type { AssetFilter, AssetState } from './validation.js';

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

/** Columns a state transition may change. */
export type AssetChanges = Partial<Omit<AssetRecord, 'id' | 'project_id' | 'language' | 'created_at' | 'upload_length'>>;

const MIGRATIONS = [
  `CREATE TABLE projects (
     id TEXT PRIMARY KEY,
     name TEXT,
     created_at TEXT NOT NULL
   );
   CREATE TABLE assets (
     id TEXT PRIMARY KEY,
     project_id TEXT NOT NULL REFERENCES projects (id),
     type TEXT,
     state TEXT NOT NULL,
     extension TEXT,
     size_bytes INTEGER,
     content_type TEXT,
     duration_seconds TEXT,
     language TEXT,
     error_code TEXT,
     error_message TEXT,
     created_at TEXT NOT NULL,
     upload_length INTEGER NOT NULL
   );
   CREATE INDEX assets_by_state ON assets (state, created_at);
   CREATE INDEX assets_by_project ON assets (project_id, created_at);`,
  `ALTER TABLE assets ADD COLUMN media_details TEXT;`,
];

/**
 * Projects and assets in an embedded SQLite database (WAL mode, so readers
 * never wait for the writer). Every call is synchronous and short.
 *
 * @example
 * ```ts
 * const catalog = openCatalog('./data/api.sqlite');
 * catalog.insertProject({ id, name: 'Podcast', created_at: new Date().toISOString() });
 * ```
 */
export class Catalog {
  readonly #db: Database.Database;
  /** Prepared statements by their SQL. */
  readonly #statements = new Map<string, Database.Statement>();

  constructor(db: Database.Database) {
    this.#db = db;
  }

  insertProject(project: ProjectRecord): void {
    this.#insert('projects', project);
  }

  findProject(id: string): ProjectRecord | undefined {
    return this.#statement('SELECT * FROM projects WHERE id = ?').get(id) as ProjectRecord | undefined;
  }

  insertAsset(asset: AssetRecord): void {
    this.#insert('assets', asset);
  }

  findAsset(id: string): AssetRecord | undefined {
    return this.#statement('SELECT * FROM assets WHERE id = ?').get(id) as AssetRecord | undefined;
  }

  /** Newest first; UUIDv7 ids break ties within one millisecond. */
  listAssets(filter: AssetFilter): AssetRecord[] {
    const sql = `SELECT * FROM assets
      WHERE (@state IS NULL OR state = @state) AND (@projectId IS NULL OR project_id = @projectId)
      ORDER BY created_at DESC, id DESC`;
    return this.#statement(sql).all({ state: filter.state ?? null, projectId: filter.projectId ?? null }) as AssetRecord[];
  }

  idsInState(state: AssetState): string[] {
    return this.#statement('SELECT id FROM assets WHERE state = ? ORDER BY created_at').pluck().all(state) as string[];
  }

  /**
   * Applies `changes` only while the asset is in state `from`, so a late
   * event can never undo a later one. Returns whether a row changed.
   */
  transition(id: string, from: AssetState, changes: AssetChanges): boolean {
    const assignments = Object.keys(changes).map((column) => `${column} = @${column}`);
    const sql = `UPDATE assets SET ${assignments.join(', ')} WHERE id = @id AND state = @from`;
    return this.#statement(sql).run({ ...changes, id, from }).changes > 0;
  }

  deleteAsset(id: string): void {
    this.#statement('DELETE FROM assets WHERE id = ?').run(id);
  }

  close(): void {
    this.#db.close();
  }

  /** Column names come from our own typed records, never from a request. */
  #insert(table: string, record: object): void {
    const columns = Object.keys(record);
    const sql = `INSERT INTO ${table} (${columns.join(', ')}) VALUES (${columns.map((c) => `@${c}`).join(', ')})`;
    this.#statement(sql).run(record);
  }

  #statement(sql: string): Database.Statement {
    let statement = this.#statements.get(sql);
    if (!statement) {
      statement = this.#db.prepare(sql);
      this.#statements.set(sql, statement);
    }
    return statement;
  }
}

/**
 * Opens (and creates or migrates) the database file.
 *
 * @example
 * ```ts
 * const catalog = openCatalog(join(dataDir, 'api.sqlite'));
 * ```
 */
export function openCatalog(path: string): Catalog {
  mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path);
  // First: instances sharing the file (scale-out) wait for each other from the first statement on.
  db.pragma('busy_timeout = 5000');
  db.pragma('journal_mode = WAL');
  db.pragma('foreign_keys = ON');
  migrate(db);
  return new Catalog(db);
}

/** IMMEDIATE, and the version read inside: instances starting together migrate one after the other. */
function migrate(db: Database.Database): void {
  db.transaction(() => {
    const version = db.pragma('user_version', { simple: true }) as number;
    for (const [index, sql] of MIGRATIONS.entries()) {
      if (index < version) continue;
      db.exec(sql);
      db.pragma(`user_version = ${index + 1}`);
    }
  }).immediate();
}
