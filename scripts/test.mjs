// `npm test`: install, build, then run every package's tests in one vitest run. A suite that needs a tool
// this machine lacks (Docker, redis-server, Chromium, ...) is skipped with a reason, and the run ends with a
// summary of those skips; under CI=true they fail instead (see packages/testkit/src/tools.ts).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { provideTuspy } from './python.mjs';
import { ROOT, buildAll, ensureInstalled, pnpm } from './workspace.mjs';

ensureInstalled({ force: process.env.CI === 'true', label: '[test] ' });
buildAll({ label: '[test] ' });
const python = provideTuspy();

// Every temporary file of the run (tests, child servers, backends) lives under one directory, removed at the end
// whatever the outcome, so a test that forgets its own cleanup cannot fill the disk run after run.
const scratch = mkdtempSync(join(tmpdir(), 'tuskit-test-run-'));
process.on('exit', () => rmSync(scratch, { recursive: true, force: true }));
const skipLog = join(scratch, 'skipped.jsonl');

const [command, prefix] = pnpm();
const result = spawnSync(command, [...prefix, 'exec', 'vitest', 'run', ...process.argv.slice(2)], {
  cwd: ROOT,
  stdio: 'inherit',
  env: { ...process.env, TMPDIR: scratch, TUSKIT_SKIP_LOG: skipLog, ...(python && { TUSKIT_PYTHON: python }), ...quietAwsSdk() },
});
if (result.error) throw result.error;
printSkipSummary(skipLog);
process.exitCode = result.status ?? 1;

/**
 * The AWS SDK warns once per process on Node < 22 that its releases after January 2027 will need Node 22; a test
 * run starts dozens of processes. Said once here instead.
 */
function quietAwsSdk() {
  if (Number(process.versions.node.split('.')[0]) >= 22) return {};
  console.error('[test] note: AWS SDK releases after January 2027 need Node >= 22 (its per-process warning is silenced here)');
  return { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' };
}

/** One line per missing tool: how many suites it cost, why, and what installs it. */
function printSkipSummary(log) {
  if (!existsSync(log)) return;
  const byTool = new Map();
  for (const line of readFileSync(log, 'utf8').split('\n').filter(Boolean)) {
    const skip = JSON.parse(line);
    const entry = byTool.get(skip.tool) ?? { ...skip, suites: 0 };
    entry.suites += 1;
    byTool.set(skip.tool, entry);
  }
  const total = [...byTool.values()].reduce((sum, entry) => sum + entry.suites, 0);
  console.log(`\nSkipped ${total} suite(s) because a tool is missing (under CI=true these fail instead):`);
  for (const { tool, suites, reason, install } of byTool.values()) {
    console.log(`  ${tool}: ${suites} suite(s); ${reason}; install: ${install}`);
  }
}
