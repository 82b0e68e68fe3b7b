// `pnpm bench [--smoke] [--only fs|s3|gcs] [--scenarios ...]` from the repository root:
// builds the packages the benchmark loads, then runs it (see bench/README.md).
import { spawnSync } from 'node:child_process';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
// Build the bench and everything it depends on; a package another engineer is
// still writing may fail to build, and its rows are then reported as skipped.
const build = spawnSync('pnpm', ['--filter', '@tuskit/bench...', '--workspace-concurrency=1', '--no-bail', 'run', 'build'], {
  cwd: root,
  stdio: ['ignore', 'ignore', 'inherit'],
});
if (build.error) throw build.error;
const { runBenchmark, parseOptions } = await import('./dist/run.js');
const out = await runBenchmark(parseOptions(process.argv.slice(2)));
process.stderr.write(`wrote ${out}\n`);
