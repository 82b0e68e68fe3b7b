import pg from 'pg';
import type { SqlDatabase } from './database.js';

/** Key of the advisory lock migrations take (any constant unique to this application). */
const MIGRATION_LOCK = 7_302_125_931;
/** BIGINT columns hold byte counts and milliseconds, all below 2^53: read them as numbers. */
const INT8_OID = 20;

/** Options of {@link openPostgres}. */
export interface PostgresOptions {
  /** Reports errors of idle connections (the server restarted or went away). */
  onError: (error: Error) => void;
  /** Connections of this instance's pool. Default 10. */
  maxConnections?: number;
}

/**
 * A {@link SqlDatabase} over a PostgreSQL server (`DATABASE_URL`), through
 * a pool of connections.
 *
 * @example
 * ```ts
 * const db = openPostgres('postgres://api@db.internal/uploads', { onError: console.error });
 * ```
 */
export function openPostgres(url: string, options: PostgresOptions): SqlDatabase {
  const pool = new pg.Pool({
    connectionString: url,
    max: options.maxConnections ?? 10,
    types: { getTypeParser: (oid, format) => (oid === INT8_OID ? Number : pg.types.getTypeParser(oid, format)) },
  });
  pool.on('error', options.onError);
  return over(pool, {
    async exclusive(body) {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
        await body(over(client, { exclusive: () => Promise.reject(new Error('already exclusive')), close: async () => {} }));
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK').catch(() => {});
        throw error;
      } finally {
        client.release();
      }
    },
    close: () => pool.end(),
  });
}

/** The queries of a {@link SqlDatabase} on a pool or one connection. */
function over(queryable: pg.Pool | pg.PoolClient, rest: Pick<SqlDatabase, 'exclusive' | 'close'>): SqlDatabase {
  return {
    dialect: 'postgres',
    all: async <T>(sql: string, params: readonly unknown[] = []) => (await queryable.query(numbered(sql), [...params])).rows as T[],
    run: async (sql, params = []) => (await queryable.query(numbered(sql), [...params])).rowCount ?? 0,
    exec: async (sql) => void (await queryable.query(sql)),
    ...rest,
  };
}

/** `?` placeholders as PostgreSQL's `$1`, `$2`, … (our SQL has no `?` inside literals). */
function numbered(sql: string): string {
  let index = 0;
  return sql.replace(/\?/g, () => `$${++index}`);
}
