import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dockerAvailability, describeWithDocker } from '@tuskit/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SMOKE_SCENARIOS } from '../src/scenarios.js';

const RUNNER = new URL('../dist/run.js', import.meta.url).pathname;
const docker = await dockerAvailability();

/** `pnpm bench --smoke` for some backends: exit code, stderr, and the report it wrote. */
async function smoke(dir: string, args: string[]): Promise<{ code: number | null; log: string; report: string }> {
  const out = join(dir, `${args.join('_')}.md`);
  const workDir = join(dir, `work-${args.join('_')}`);
  const child = spawn(process.execPath, [RUNNER, '--smoke', '--out', out, '--work-dir', workDir, ...args], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let log = '';
  child.stderr.on('data', (chunk: Buffer) => (log += chunk.toString()));
  const [code] = await once(child, 'exit');
  return { code, log, report: code === 0 ? await readFile(out, 'utf8') : '' };
}

function tableOf(report: string, title: string): string {
  const start = report.indexOf(`### ${title}`);
  expect(start, `a table for ${title}`).toBeGreaterThanOrEqual(0);
  return report.slice(start, report.indexOf('\n\n', report.indexOf('| ---', start)));
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tuskit-bench-smoke-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('pnpm bench --smoke on fs', () => {
  it('runs every scenario against every fs server, verifying every upload', async () => {
    const { code, log, report } = await smoke(dir, ['--only', 'fs']);
    expect(code, log).toBe(0);
    expect(report).toContain('**smoke run**');
    for (const scenario of SMOKE_SCENARIOS) {
      const table = tableOf(report, scenario.title);
      for (const label of [
        'raw: node:http pipe → file',
        'memory floor: write each chunk, then free it',
        'memory floor behind Express 5',
        'tuskit + @tuskit/store-fs (node:http)',
        '@tus/server + @tus/file-store',
      ]) {
        expect(table).toContain(label);
      }
    }
    // Every measured run printed a progress line, after its uploads were verified.
    const runs = log.split('\n').filter((line) => /^\[fs \w+\] rep 1\/1 /.test(line));
    expect(runs.length).toBeGreaterThanOrEqual(SMOKE_SCENARIOS.length * 3);
  });
});

describeWithDocker(docker, 'pnpm bench --smoke on S3 and GCS', () => {
  it('runs the raw SDK upload, tuskit and @tus/server against MinIO and fake-gcs-server', async () => {
    const { code, log, report } = await smoke(dir, ['--only', 's3,gcs', '--scenarios', '1m,par8']);
    expect(code, log).toBe(0);
    const s3 = report.slice(report.indexOf('## s3'), report.indexOf('## gcs'));
    const gcs = report.slice(report.indexOf('## gcs'));
    for (const label of ['raw: lib-storage multipart', 'tuskit + @tuskit/store-s3 (node:http)', '@tus/server + @tus/s3-store']) {
      expect(s3).toContain(label);
    }
    for (const label of ['raw: resumable write stream', 'tuskit + @tuskit/store-gcs (node:http)', '@tus/server + @tus/gcs-store']) {
      expect(gcs).toContain(label);
    }
  });
});

describe('pnpm bench --smoke on Azure', () => {
  it('runs the raw SDK upload, tuskit and @tus/server against Azurite', async () => {
    const { code, log, report } = await smoke(dir, ['--only', 'azure', '--scenarios', '1m,par8']);
    expect(code, log).toBe(0);
    const azure = report.slice(report.indexOf('## azure'));
    for (const label of ['raw: block blob uploadStream', 'tuskit + @tuskit/store-azure (node:http)', '@tus/server + @tus/azure-store']) {
      expect(azure).toContain(label);
    }
  });
});
