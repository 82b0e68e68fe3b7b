// The public API of every published package, as API Extractor reports it from the built type declarations: one
// report per `exports` entry, committed beside the package (`packages/<name>/api/<entry>.api.md`). The repository
// test compares each build with its report, so a change to what a package exports is a reviewed change to a file.
// After a deliberate change: `npm run build && npm run api:update`, and commit the reports.
import { Extractor, ExtractorConfig } from '@microsoft/api-extractor';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** Every published package's type entry points: `{ dir, name, entry, types }`. */
export function apiEntries() {
  return readdirSync(join(ROOT, 'packages'))
    .map((name) => join(ROOT, 'packages', name))
    .filter((dir) => existsSync(join(dir, 'package.json')))
    .map((dir) => ({ dir, manifest: JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) }))
    .filter(({ manifest }) => !manifest.private)
    .flatMap(({ dir, manifest }) =>
      Object.entries(manifest.exports ?? {})
        .filter(([subpath]) => subpath !== './package.json')
        .map(([subpath, target]) => ({
          dir,
          name: manifest.name,
          entry: subpath === '.' ? 'index' : subpath.slice(2),
          types: join(dir, target.import?.types ?? target.types),
        })),
    );
}

/**
 * Runs API Extractor on one entry point; `update` rewrites its committed
 * report, otherwise the report is only compared. Returns whether the built
 * API matches the report and the messages to show when it does not.
 */
export function checkApi({ dir, entry, types }, { update = false } = {}) {
  const scratch = mkdtempSync(join(tmpdir(), 'api-report-'));
  const messages = [];
  mkdirSync(join(dir, 'api'), { recursive: true });
  try {
    const config = ExtractorConfig.prepare({
      configObject: {
        projectFolder: dir,
        mainEntryPointFilePath: types,
        compiler: { overrideTsconfig: { compilerOptions: { lib: ['ES2023'], types: ['node'], skipLibCheck: true }, files: [types] } },
        apiReport: { enabled: true, reportFileName: entry, reportFolder: join(dir, 'api'), reportTempFolder: scratch },
        docModel: { enabled: false },
        dtsRollup: { enabled: false },
        tsdocMetadata: { enabled: false },
        messages: {
          compilerMessageReporting: { default: { logLevel: 'warning' } },
          // Release tags (`@public`, `@beta`) are not used here: what a package exports is its API. A type an
          // export names but the entry does not export is marked in the report instead of failing the run.
          extractorMessageReporting: {
            default: { logLevel: 'warning' },
            'ae-missing-release-tag': { logLevel: 'none' },
            'ae-undocumented': { logLevel: 'none' },
            'ae-unresolved-link': { logLevel: 'none' },
            'ae-forgotten-export': { logLevel: 'none', addToApiReportFile: true },
          },
          tsdocMessageReporting: { default: { logLevel: 'none' } },
        },
      },
      configObjectFullPath: undefined,
      packageJsonFullPath: join(dir, 'package.json'),
    });
    const result = Extractor.invoke(config, {
      localBuild: update,
      messageCallback: (message) => {
        message.handled = true;
        if (message.category !== 'console' && (message.logLevel === 'warning' || message.logLevel === 'error')) messages.push(message.formatMessageWithLocation(dir));
      },
    });
    return { matches: !result.apiReportChanged, messages };
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const update = process.argv.includes('--update');
  let failed = false;
  for (const entry of apiEntries()) {
    const { matches, messages } = checkApi(entry, { update });
    for (const message of messages) console.error(`${entry.name}/${entry.entry}: ${message}`);
    if (!matches && !update) failed = true;
    console.log(`${entry.name} ${entry.entry}: ${update ? 'report written' : matches ? 'matches its report' : 'DIFFERS from its report'}`);
  }
  process.exitCode = failed ? 1 : 0;
}
