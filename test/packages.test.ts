// What each package ships: its LICENSE and README beside package.json (npm always packs both), every file its
// `exports` name once built, and, for @tuskit/core, the fixtures its test kit uploads.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const ROOT_LICENSE = readFileSync(join(ROOT, 'LICENSE'), 'utf8');
const packages = ['packages', 'examples']
  .flatMap((dir) => readdirSync(join(ROOT, dir)).map((name) => join(ROOT, dir, name)))
  .filter((dir) => existsSync(join(dir, 'package.json')))
  .map((dir) => ({ dir, manifest: JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as Manifest }));

interface Manifest {
  name: string;
  license?: string;
  files?: string[];
  exports?: Record<string, unknown>;
}

function targets(entry: unknown): string[] {
  if (typeof entry === 'string') return [entry];
  if (typeof entry !== 'object' || entry === null) return [];
  return Object.values(entry).flatMap(targets);
}

describe.each(packages)('$manifest.name', ({ dir, manifest }) => {
  it('ships the MIT LICENSE of the repository and a README', () => {
    expect(manifest.license).toBe('MIT');
    expect(readFileSync(join(dir, 'LICENSE'), 'utf8')).toBe(ROOT_LICENSE);
    expect(existsSync(join(dir, 'README.md'))).toBe(true);
  });

  it('has every file its exports name', () => {
    const missing = targets(manifest.exports).filter((target) => !existsSync(join(dir, target)));
    expect(missing).toEqual([]);
  });
});

describe('@tuskit/core/testing', () => {
  const core = packages.find(({ manifest }) => manifest.name === '@tuskit/core')!;

  it('ships the fixtures describeTusProtocol uploads, and advertises no CommonJS entry (vitest is ESM only)', () => {
    expect(core.manifest.files).toContain('fixtures');
    for (const name of ['audio.m4a', 'audio.mp3', 'audio.ogg', 'audio.wav', 'video.mp4', 'video.webm']) {
      expect(existsSync(join(core.dir, 'fixtures', 'media', name)), name).toBe(true);
    }
    for (const name of ['document.pdf', 'image.png', 'notes.txt', 'random.bin', 'zeros.bin']) {
      expect(existsSync(join(core.dir, 'fixtures', 'not-media', name)), name).toBe(true);
    }
    expect(targets(core.manifest.exports?.['./testing'])).toEqual(['./dist/testing.d.ts', './dist/testing.js']);
  });

  it('finds the shipped fixtures from its build, with no fixturesDir', async () => {
    const built = pathToFileURL(join(core.dir, 'dist', 'testing.js')).href;
    const { FIXTURES_DIR } = (await import(built)) as { FIXTURES_DIR: string };
    expect(FIXTURES_DIR).toBe(join(core.dir, 'fixtures'));
  });
});
