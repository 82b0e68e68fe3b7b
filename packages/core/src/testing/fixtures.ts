import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * The folder of fixtures shipped in `@tuskit/core` (`fixtures/` beside `dist/`): `media/` holds six 2-second
 * audio and video files every media rule accepts by default, `not-media/` five files it refuses. Its README
 * says how each was made.
 *
 * @example
 * ```ts
 * import { readFile } from 'node:fs/promises';
 * import { join } from 'node:path';
 * import { FIXTURES_DIR } from '@tuskit/core/testing';
 *
 * const clip = await readFile(join(FIXTURES_DIR, 'media', 'video.mp4'));
 * ```
 */
export const FIXTURES_DIR: string = locateFixtures();

// Built, this module is dist/testing.js; run from source (the package's own tests), src/testing/fixtures.ts.
function locateFixtures(): string {
  const candidates = ['../fixtures', '../../fixtures'].map((relative) => fileURLToPath(new URL(relative, import.meta.url)));
  return candidates.find((dir) => existsSync(`${dir}/media`)) ?? candidates[0]!;
}
