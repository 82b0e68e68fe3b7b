import { fileURLToPath } from 'node:url';

/** The shared fixtures beside the repository (`../shared/fixtures`). */
export const FIXTURES_DIR = fileURLToPath(new URL('../../../../shared/fixtures', import.meta.url));
