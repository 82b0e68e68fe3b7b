// Global setup of the TEST_DATABASE=postgres run: one throwaway PostgreSQL server for every test file.
import { startPostgres } from '@tuskit/testkit';
import type { TestProject } from 'vitest/node';

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const postgres = await startPostgres();
  project.provide('postgresUrl', postgres.url);
  return () => postgres.stop();
}
