// Debian's Chromium driven through playwright-core, and a driver of the upload page.
import { mkdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { findOnPath, type ToolAvailability } from '@tuskit/testkit';
import { chromium, type Browser, type BrowserContextOptions, type CDPSession, type Page } from 'playwright-core';

/** Debian's Chromium (`apt-get install chromium`), looked up on PATH; no browser is downloaded. */
export const CHROMIUM_PATH = findOnPath('chromium');

/** Screenshots for a human to look at; ignored by git. */
export const ARTIFACTS_DIR = fileURLToPath(new URL('../../.artifacts/', import.meta.url));

const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];

/** Whether Debian's Chromium is installed, for `describeWithTool`. */
export function chromiumAvailability(): ToolAvailability {
  return CHROMIUM_PATH ? { available: true } : { available: false, reason: 'no `chromium` on PATH' };
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
}

// The few browser globals the page functions below use: they run in Chromium, and the tests
// compile without the DOM library (whose fetch types clash with Node's).
interface BrowserElement {
  id: string;
  value: number;
  matches(selector: string): boolean;
  getBoundingClientRect(): { right: number };
}
declare const document: {
  activeElement: BrowserElement;
  documentElement: { scrollWidth: number };
  querySelector(selector: string): BrowserElement;
  querySelectorAll(selector: string): Iterable<BrowserElement>;
};
declare function getComputedStyle(element: BrowserElement): { outlineStyle: string; outlineWidth: string };
declare class DataTransfer {
  readonly items: { add(file: File): void };
}

/** A request the page sent, as the browser issued it. */
export interface SentRequest {
  method: string;
  url: string;
  /** `Upload-Offset` of a PATCH. */
  offset?: number;
}

/** Options of {@link UploadPageDriver.open}. */
export interface UploadPageOptions {
  viewport?: BrowserContextOptions['viewport'];
  /** The page's `?chunkSize=`. */
  chunkSize?: number;
}

/** The upload page in a fresh browser context (its own storage), with every non-GET request it sends recorded. */
export class UploadPageDriver {
  readonly page: Page;
  readonly requests: SentRequest[] = [];
  readonly #url: string;
  /** One DevTools session: network conditions set through another one would add up rather than replace. */
  #cdp: Promise<CDPSession> | undefined;

  private constructor(page: Page, url: string) {
    this.page = page;
    this.#url = url;
    page.on('request', (request) => {
      if (request.method() === 'GET') return;
      const offset = request.headers()['upload-offset'];
      this.requests.push({ method: request.method(), url: request.url(), ...(offset !== undefined && { offset: Number(offset) }) });
    });
  }

  static async open(browser: Browser, serverUrl: string, options: UploadPageOptions = {}): Promise<UploadPageDriver> {
    const context = await browser.newContext({ viewport: options.viewport ?? { width: 1280, height: 800 } });
    const url = new URL('/', serverUrl);
    if (options.chunkSize) url.searchParams.set('chunkSize', String(options.chunkSize));
    const driver = new UploadPageDriver(await context.newPage(), url.href);
    await driver.page.goto(driver.#url);
    return driver;
  }

  /**
   * Limits the browser's upload bandwidth (undefined lifts the limit), so
   * that a 25 KB file takes long enough to pause, cancel or reload mid-way.
   */
  async throttleUploads(bytesPerSecond: number | undefined): Promise<void> {
    this.#cdp ??= this.page
      .context()
      .newCDPSession(this.page)
      .then(async (session) => {
        await session.send('Network.enable');
        return session;
      });
    await (await this.#cdp).send('Network.emulateNetworkConditions', {
      offline: false,
      latency: 0,
      downloadThroughput: -1,
      uploadThroughput: bytesPerSecond ?? -1,
    });
  }

  /** The `Upload-Offset`s of the PATCHes sent so far. */
  patchOffsets(): number[] {
    return this.requests.filter((r) => r.method === 'PATCH').map((r) => r.offset ?? Number.NaN);
  }

  async enterKey(apiKey: string): Promise<void> {
    await this.page.fill('#api-key', apiKey);
  }

  async pickFile(path: string): Promise<void> {
    await this.page.setInputFiles('#file', path);
  }

  /** Drops a file with these bytes on the drop zone, as a drag from the desktop would. */
  async dropFile(name: string, type: string, bytes: Uint8Array): Promise<void> {
    const dataTransfer = await this.page.evaluateHandle(
      ({ name, type, bytes }) => {
        const transfer = new DataTransfer();
        transfer.items.add(new File([new Uint8Array(bytes)], name, { type }));
        return transfer;
      },
      { name, type, bytes: [...bytes] },
    );
    await this.page.dispatchEvent('#drop-zone', 'drop', { dataTransfer });
  }

  /** The text of a row of the asset list (`state`, `type`, `duration`, `id`). */
  field(name: string): Promise<string> {
    return this.page.locator(`#asset [data-field="${name}"]`).innerText();
  }

  async waitForState(state: string): Promise<void> {
    await this.page.locator(`#asset [data-field="state"]`, { hasText: new RegExp(`^${state}$`) }).waitFor();
  }

  async waitForStatus(text: RegExp): Promise<string> {
    const status = this.page.locator('#status', { hasText: text });
    await status.waitFor();
    return status.innerText();
  }

  /** Resolves once the progress bar shows at least `bytes`. */
  async waitForProgress(bytes: number): Promise<void> {
    await this.page.waitForFunction((atLeast) => document.querySelector('progress').value >= atLeast, bytes);
  }

  /** Saves a full-page screenshot under {@link ARTIFACTS_DIR}; returns its path. */
  async screenshot(name: string): Promise<string> {
    await mkdir(ARTIFACTS_DIR, { recursive: true });
    const path = `${ARTIFACTS_DIR}${name}.png`;
    await this.page.screenshot({ path, fullPage: true });
    return path;
  }

  /** The focused element's id and whether it shows a focus ring (`:focus-visible` with a visible outline). */
  focus(): Promise<{ id: string; ring: boolean }> {
    return this.page.evaluate(() => {
      const element = document.activeElement;
      const style = getComputedStyle(element);
      const ring = element.matches(':focus-visible') && style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2;
      return { id: element.id, ring };
    });
  }

  /** The document's scroll width and the right edge of its widest element, in CSS pixels. */
  widths(): Promise<{ document: number; widest: number }> {
    return this.page.evaluate(() => ({
      document: document.documentElement.scrollWidth,
      widest: Math.max(...[...document.querySelectorAll('body *')].map((element) => element.getBoundingClientRect().right)),
    }));
  }

  close(): Promise<void> {
    return this.page.context().close();
  }
}
