// The catalog on both databases: versioned migrations at start-up, and the processing leases that make one
// instance measure each asset.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describeWithPostgres, postgresAvailability, startPostgres, type RunningPostgres } from '@tuskit/testkit';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { openCatalog, type AssetRecord, type Catalog } from '../src/db.js';
import { MIGRATIONS } from '../src/sql/migrations.js';
import { createDatabase } from './support/databases.js';

const LEASE_MS = 60_000;

/** Where a test's catalog lives: a fresh SQLite directory or a fresh PostgreSQL database. */
interface Place {
  dataDir: string;
  databaseUrl: string | undefined;
}

/** The migration versions recorded in the database of `place`. */
type VersionsOf = (place: Place) => Promise<number[]>;

function catalogSuite(name: string, newPlace: () => Promise<Place>, versionsOf: VersionsOf): void {
  describe(name, () => {
    const opened: Catalog[] = [];
    const open = async (place: Place) => {
      const catalog = await openCatalog(place);
      opened.push(catalog);
      return catalog;
    };
    afterEach(async () => {
      await Promise.all(opened.splice(0).map((catalog) => catalog.close()));
    });

    it('applies every migration once, even to instances opening a new database together', async () => {
      const place = await newPlace();
      await Promise.all([open(place), open(place), open(place)]);
      expect(await versionsOf(place)).toEqual(MIGRATIONS.map((_, index) => index + 1));
      await open(place); // a later start applies nothing
      expect(await versionsOf(place)).toEqual(MIGRATIONS.map((_, index) => index + 1));
    });

    it('stores byte counts past 2^32 and reads them back as numbers', async () => {
      const catalog = await open(await newPlace());
      const asset = await seed(catalog, 53_687_091_200);
      expect(await catalog.findAsset(asset.id)).toEqual(asset);
      expect(await catalog.listAssets({ state: 'pending_upload', limit: 10 })).toEqual([asset]);
      expect(await catalog.listAssets({ state: 'ready', limit: 10 })).toEqual([]);
    });

    it('a state change applies only from the state it expects', async () => {
      const catalog = await open(await newPlace());
      const asset = await seed(catalog);
      expect(await catalog.transition(asset.id, 'pending_upload', { state: 'processing' })).toBe(true);
      expect(await catalog.transition(asset.id, 'pending_upload', { state: 'failed' })).toBe(false);
      expect((await catalog.findAsset(asset.id))?.state).toBe('processing');
    });

    it('leases each asset in processing to one claimer, and to another once the lease runs out', async () => {
      const place = await newPlace();
      const [one, two] = [await open(place), await open(place)];
      const ids = [];
      for (let n = 0; n < 6; n++) {
        const asset = await seed(one);
        await one.transition(asset.id, 'pending_upload', { state: 'processing' });
        ids.push(asset.id);
      }
      // Six claims at once from two catalogs: six different assets, then nothing is left.
      const claims = await Promise.all(Array.from({ length: 8 }, (_, n) => (n % 2 ? one : two).claimProcessing(`owner-${n % 2}`, LEASE_MS)));
      const claimed = claims.flatMap((claim) => (claim ? [claim.id] : []));
      expect(claimed.toSorted()).toEqual(ids.toSorted());

      // Later, the holder of the oldest is gone: its lease runs out and another instance claims it.
      const [oldest, next] = ids as [string, string];
      const holderOf = (id: string) => claims.find((claim) => claim?.id === id)?.claimed_by as string;
      const later = Date.now() + LEASE_MS + 1;
      const takeover = await two.claimProcessing('owner-new', LEASE_MS, later);
      expect(takeover).toMatchObject({ id: oldest, claimed_by: 'owner-new', claim_expires_at: later + LEASE_MS });
      // The former holder can neither renew nor finish it; the new one finishes it, once.
      expect(await one.renewClaim(oldest, holderOf(oldest), LEASE_MS)).toBe(false);
      expect(await one.finishClaim(oldest, holderOf(oldest), { state: 'ready', duration_seconds: '2.000' })).toBe(false);
      expect(await two.finishClaim(oldest, 'owner-new', { state: 'ready', duration_seconds: '1.000' })).toBe(true);
      expect(await two.finishClaim(oldest, 'owner-new', { state: 'ready', duration_seconds: '3.000' })).toBe(false);
      expect(await one.findAsset(oldest)).toMatchObject({ state: 'ready', duration_seconds: '1.000' });
      // A released lease is claimable at once; the others are still held.
      expect(await one.renewClaim(next, holderOf(next), LEASE_MS)).toBe(true);
      await one.releaseClaim(next, holderOf(next));
      expect((await two.claimProcessing('owner-2', LEASE_MS))?.id).toBe(next);
      expect(await two.claimProcessing('owner-2', LEASE_MS)).toBeUndefined();
    });

    it('gives a named lease to one of the instances claiming it together, and to another once it runs out', async () => {
      const place = await newPlace();
      const [one, two] = [await open(place), await open(place)];
      const now = Date.now();
      const taken = await Promise.all([one.claimLease('sweep', 'owner-1', LEASE_MS, now), two.claimLease('sweep', 'owner-2', LEASE_MS, now)]);
      expect(taken.toSorted()).toEqual([false, true]);
      const [holder, other] = taken[0] ? ['owner-1', 'owner-2'] : ['owner-2', 'owner-1'];
      expect(await two.claimLease('sweep', other, LEASE_MS, now + LEASE_MS - 1)).toBe(false);
      // Its holder renews it; another name is another lease.
      expect(await one.claimLease('sweep', holder, LEASE_MS, now + 1)).toBe(true);
      expect(await two.claimLease('another', other, LEASE_MS, now + 1)).toBe(true);
      expect(await two.claimLease('sweep', other, LEASE_MS, now + LEASE_MS)).toBe(false);
      // Its holder is gone: once the lease runs out, another instance takes it.
      expect(await two.claimLease('sweep', other, LEASE_MS, now + 1 + LEASE_MS)).toBe(true);
      expect(await one.claimLease('sweep', holder, LEASE_MS, now + 2 + LEASE_MS)).toBe(false);
    });
  });
}

let seeded = 0;

/** A project and an asset of `size` bytes in `pending_upload`. */
async function seed(catalog: Catalog, size = 1000): Promise<AssetRecord> {
  const n = ++seeded;
  const projectId = `project-${n}`;
  await catalog.insertProject({ id: projectId, name: null, created_at: new Date().toISOString() });
  const asset: AssetRecord = {
    id: `asset-${String(n).padStart(4, '0')}`,
    project_id: projectId,
    type: null,
    state: 'pending_upload',
    extension: null,
    size_bytes: size,
    content_type: null,
    duration_seconds: null,
    language: null,
    error_code: null,
    error_message: null,
    created_at: new Date(Date.UTC(2026, 0, 1, 0, 0, n)).toISOString(),
    upload_length: size,
    media_details: null,
  };
  await catalog.insertAsset(asset);
  return asset;
}

const directories: string[] = [];
afterAll(() => Promise.all(directories.map((dir) => rm(dir, { recursive: true, force: true }))));
const newDirectory = async () => {
  const dir = await mkdtemp(join(tmpdir(), 'tuskit-catalog-'));
  directories.push(dir);
  return dir;
};

catalogSuite(
  'the catalog on SQLite',
  async () => ({ dataDir: await newDirectory(), databaseUrl: undefined }),
  async ({ dataDir }) => {
    const db = new Database(join(dataDir, 'api.sqlite'), { readonly: true });
    try {
      return db.prepare('SELECT version FROM schema_migrations ORDER BY version').pluck().all() as number[];
    } finally {
      db.close();
    }
  },
);

describe('a SQLite catalog made before schema_migrations', () => {
  it('counts the steps its user_version records as applied and applies the rest, keeping its rows', async () => {
    const dataDir = await newDirectory();
    const db = new Database(join(dataDir, 'api.sqlite'));
    db.exec(MIGRATIONS[0] as string);
    db.pragma('user_version = 1');
    db.prepare("INSERT INTO projects (id, name, created_at) VALUES ('old', 'Old', '2025-01-01T00:00:00.000Z')").run();
    db.close();
    const catalog = await openCatalog({ dataDir });
    try {
      expect(await catalog.findProject('old')).toEqual({ id: 'old', name: 'Old', created_at: '2025-01-01T00:00:00.000Z' });
      const asset = await seed(catalog);
      await catalog.transition(asset.id, 'pending_upload', { state: 'processing' });
      expect((await catalog.claimProcessing('me', LEASE_MS))?.id).toBe(asset.id); // version 2's columns
    } finally {
      await catalog.close();
    }
  });
});

describeWithPostgres(postgresAvailability(), 'the catalog on PostgreSQL', () => {
  let postgres: RunningPostgres;
  beforeAll(async () => {
    postgres = await startPostgres();
  });
  afterAll(() => postgres?.stop());

  catalogSuite(
    'DATABASE_URL',
    async () => ({ dataDir: await newDirectory(), databaseUrl: await createDatabase(postgres.url) }),
    async ({ databaseUrl }) => {
      const client = new pg.Client(databaseUrl);
      await client.connect();
      try {
        return (await client.query<{ version: number }>('SELECT version FROM schema_migrations ORDER BY version')).rows.map((row) => row.version);
      } finally {
        await client.end();
      }
    },
  );
});
