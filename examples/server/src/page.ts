import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { ApiError } from './errors.js';
import type { ApiResponse } from './http.js';

/** Where the page's script, style sheet and the tus-js-client build are served. */
export const PAGE_ASSETS_PATH = '/assets';

/** One file of the page, read at start. */
interface PageFile {
  contentType: string;
  body: string;
}

/** The page's own files, next to `src/` and `dist/` (both one level below the package). */
const PUBLIC_DIR = new URL('../public/', import.meta.url);

const OWN_FILES: Record<string, string> = {
  'index.html': 'text/html; charset=utf-8',
  'page.css': 'text/css; charset=utf-8',
  'page.js': 'text/javascript; charset=utf-8',
};

/**
 * The browser upload page: `index.html` at `/` and its assets under
 * {@link PAGE_ASSETS_PATH}, including tus-js-client's own browser build
 * from `node_modules` (the page loads nothing from elsewhere). Served
 * without the API key: the page asks for it and keeps it in the tab.
 *
 * @example
 * ```ts
 * const page = await UploadPage.load(() => 'http://127.0.0.1:1080');
 * const answer = page.serve('index.html', 'GET'); // 200, text/html
 * ```
 */
export class UploadPage {
  readonly #files: Map<string, PageFile>;
  readonly #origin: () => string;

  private constructor(files: Map<string, PageFile>, origin: () => string) {
    this.#files = files;
    this.#origin = origin;
  }

  /** Reads the page's files; `origin` is the public origin the uploads go to (`PUBLIC_URL`). */
  static async load(origin: () => string): Promise<UploadPage> {
    const files = new Map<string, PageFile>();
    for (const [name, contentType] of Object.entries(OWN_FILES)) {
      files.set(name, { contentType, body: await readFile(new URL(name, PUBLIC_DIR), 'utf8') });
    }
    const tusBuild = createRequire(import.meta.url).resolve('tus-js-client/dist/tus.min.js');
    files.set('tus.min.js', { contentType: OWN_FILES['page.js']!, body: withoutSourceMap(await readFile(tusBuild, 'utf8')) });
    return new UploadPage(files, origin);
  }

  /** Answers `GET` or `HEAD` of one file by name; 404 for any other name. */
  serve(name: string, method: string): ApiResponse {
    const file = this.#files.get(name);
    if (!file) throw new ApiError('not_found');
    const headers = {
      'Content-Type': file.contentType,
      'Content-Length': String(Buffer.byteLength(file.body)),
      'Cache-Control': 'no-cache',
      'X-Content-Type-Options': 'nosniff',
      'Referrer-Policy': 'no-referrer',
      'Content-Security-Policy': this.#contentSecurityPolicy(),
    };
    return method === 'HEAD' ? { status: 200, headers } : { status: 200, headers, body: file.body };
  }

  /** Everything from this server; the uploads may go to `PUBLIC_URL` when the page is opened under another name. */
  #contentSecurityPolicy(): string {
    const uploads = new URL(this.#origin()).origin;
    return [
      "default-src 'self'",
      "img-src 'self' data:",
      `connect-src 'self' ${uploads}`,
      "base-uri 'none'",
      "form-action 'none'",
      "frame-ancestors 'none'",
    ].join('; ');
  }
}

/** The build names a `.map` file the server does not serve: the comment would only earn a 404 in devtools. */
function withoutSourceMap(script: string): string {
  return script.replace(/\n\/\/# sourceMappingURL=\S+\s*$/, '\n');
}
