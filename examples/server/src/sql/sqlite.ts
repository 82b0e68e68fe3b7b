import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import type { SqlDatabase } from './database.js';

/** The last exclusive transaction per file in this process. */
const turns = new Map<string, Promise<void>>();

/**
 * Runs `task` once the previous one on the same file in this process has
 * ended. Other processes wait through SQLite's own lock, but two connections
 * of one process must not: a second `BEGIN IMMEDIATE` would block this
 * thread (busy_timeout) while the first waits for it to yield.
 */
function inTurn(path: string, task: () => Promise<void>): Promise<void> {
  const turn = (turns.get(path) ?? Promise.resolve()).then(task);
  const settled = turn.catch(() => {});
  turns.set(path, settled);
  void settled.then(() => turns.get(path) === settled && turns.delete(path));
  return turn;
}

/**
 * A {@link SqlDatabase} over an embedded SQLite file (WAL mode, so readers
 * never wait for the writer). Calls are synchronous underneath and short;
 * instances sharing the file wait for each other's writes.
 *
 * @example
 * ```ts
 * const db = openSqlite('./data/api.sqlite');
 * ```
 */
export function openSqlite(path: string): SqlDatabase {
  mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path);
  // First: instances sharing the file (scale-out, workers) wait for each other from the first statement on.
  db.pragma('busy_timeout = 5000');
  db.pragma('journal_mode = WAL');
  db.pragma('foreign_keys = ON');
  const statements = new Map<string, Database.Statement>();
  const statement = (sql: string) => {
    let prepared = statements.get(sql);
    if (!prepared) {
      prepared = db.prepare(sql);
      statements.set(sql, prepared);
    }
    return prepared;
  };
  const sqlite: SqlDatabase = {
    dialect: 'sqlite',
    all: async <T>(sql: string, params: readonly unknown[] = []) => statement(sql).all(...params) as T[],
    run: async (sql, params = []) => statement(sql).run(...params).changes,
    exec: async (sql) => void db.exec(sql),
    exclusive: (body) => inTurn(path, async () => {
      // IMMEDIATE takes the write lock first: the version read inside is the one the body builds on.
      db.exec('BEGIN IMMEDIATE');
      try {
        await body(sqlite);
        db.exec('COMMIT');
      } catch (error) {
        db.exec('ROLLBACK');
        throw error;
      }
    }),
    close: async () => void db.close(),
  };
  return sqlite;
}
