/** The SQL databases the catalog runs on. */
export type Dialect = 'sqlite' | 'postgres';

/**
 * The little the catalog needs from a SQL database, so one set of queries
 * runs on SQLite and on PostgreSQL: parameters are `?` placeholders,
 * bound in order.
 *
 * @example
 * ```ts
 * const rows = await db.all<{ id: string }>('SELECT id FROM assets WHERE state = ?', ['ready']);
 * ```
 */
export interface SqlDatabase {
  readonly dialect: Dialect;
  /** The rows a statement returns. */
  all<T>(sql: string, params?: readonly unknown[]): Promise<T[]>;
  /** Runs a statement; returns how many rows it changed. */
  run(sql: string, params?: readonly unknown[]): Promise<number>;
  /** Runs a script of several statements without parameters (a migration). */
  exec(sql: string): Promise<void>;
  /**
   * Runs `body` in a transaction that no other instance's `exclusive` call
   * runs beside (instances starting together migrate one after the other).
   */
  exclusive(body: (db: SqlDatabase) => Promise<void>): Promise<void>;
  close(): Promise<void>;
}
