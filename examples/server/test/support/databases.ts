// The database the API tests run on: SQLite (the default), or PostgreSQL in the run with TEST_DATABASE=postgres,
// where each test server gets a fresh database on the PostgreSQL server the run's global setup started.
import pg from 'pg';
import { inject } from 'vitest';

/** The catalog databases. */
export type TestDatabase = 'sqlite' | 'postgres';

/** The database of this run (see vitest.postgres.config.ts). */
export const TEST_DATABASE: TestDatabase = process.env.TEST_DATABASE === 'postgres' ? 'postgres' : 'sqlite';

let created = 0;

/**
 * A fresh, empty database on `adminUrl`'s server; returns its URL.
 */
export async function createDatabase(adminUrl: string): Promise<string> {
  const name = `api_${process.pid}_${++created}_${Date.now().toString(36)}`;
  const client = new pg.Client(adminUrl);
  await client.connect();
  try {
    await client.query(`CREATE DATABASE ${name}`);
  } finally {
    await client.end();
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return url.href;
}

/** `DATABASE_URL` of a new test server: `undefined` (SQLite) or a fresh PostgreSQL database. */
export async function databaseUrlForTest(): Promise<string | undefined> {
  if (TEST_DATABASE === 'sqlite') return undefined;
  return createDatabase(inject('postgresUrl'));
}

declare module 'vitest' {
  export interface ProvidedContext {
    /** The administration URL of the run's PostgreSQL server. */
    postgresUrl: string;
  }
}
