import type { SqlDatabase } from './database.js';

/**
 * The catalog's schema, one step per version, in SQL both SQLite and
 * PostgreSQL run. Never edit a step that has shipped: add one.
 */
export const MIGRATIONS: readonly string[] = [
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
     size_bytes BIGINT,
     content_type TEXT,
     duration_seconds TEXT,
     language TEXT,
     error_code TEXT,
     error_message TEXT,
     created_at TEXT NOT NULL,
     upload_length BIGINT NOT NULL
   );
   CREATE INDEX assets_by_state ON assets (state, created_at);
   CREATE INDEX assets_by_project ON assets (project_id, created_at);`,
  // The stream fields the probe found (JSON), shown with a ready asset.
  `ALTER TABLE assets ADD COLUMN media_details TEXT;`,
  // Processing leases: the instance measuring an asset, and until when (ms since the epoch) no other may.
  `ALTER TABLE assets ADD COLUMN claimed_by TEXT;
   ALTER TABLE assets ADD COLUMN claim_expires_at BIGINT;`,
  // Leases of work one instance does for all (the completion sweep): who holds it, until when (ms since the epoch).
  `CREATE TABLE leases (
     name TEXT PRIMARY KEY,
     holder TEXT NOT NULL,
     expires_at BIGINT NOT NULL
   );`,
];

/**
 * Brings the schema to the newest version: applies the steps after the
 * newest one recorded in `schema_migrations`, each recorded as it is
 * applied, all in one transaction that instances starting together take one
 * after the other. Returns the versions it applied.
 *
 * @example
 * ```ts
 * await migrate(openSqlite('./data/api.sqlite')); // [1, 2] on a new database
 * ```
 */
export async function migrate(db: SqlDatabase, steps: readonly string[] = MIGRATIONS): Promise<number[]> {
  const applied: number[] = [];
  await db.exclusive(async (tx) => {
    await tx.exec('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)');
    let [{ version }] = await tx.all<{ version: number | null }>('SELECT MAX(version) AS version FROM schema_migrations') as [{ version: number | null }];
    version ??= await legacyVersion(tx);
    for (const [index, sql] of steps.entries()) {
      if (index < version) continue;
      await tx.exec(sql);
      await tx.run('INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)', [index + 1, new Date().toISOString()]);
      applied.push(index + 1);
    }
  });
  return applied;
}

/** SQLite catalogs made before `schema_migrations` kept their version in `user_version`. */
async function legacyVersion(tx: SqlDatabase): Promise<number> {
  if (tx.dialect !== 'sqlite') return 0;
  const [row] = await tx.all<{ user_version: number }>('PRAGMA user_version');
  const version = row?.user_version ?? 0;
  for (let step = 1; step <= version; step++) {
    await tx.run('INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)', [step, 'before schema_migrations']);
  }
  return version;
}
