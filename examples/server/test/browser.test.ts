import { readFile } from 'node:fs/promises';
import { TOOLS, describeWithTool } from '@tuskit/testkit';
import type { Browser } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { sha256 } from './support/assertions.js';
import { chromiumAvailability, launchChromium, UploadPageDriver, type UploadPageOptions } from './support/browser.js';
import { FIXTURES_DIR } from './support/media.js';
import { download, FRAMEWORK_NAMES, suiteServer } from './support/server.js';

const VIDEO = `${FIXTURES_DIR}/media/video.webm`;
const PDF = `${FIXTURES_DIR}/not-media/document.pdf`;
/** Slow enough that a 25 KB file takes about two seconds: time to pause, cancel or reload mid-way. */
const SLOW_UPLOAD_BYTES_PER_SECOND = 12_000;
const CHUNK_SIZE = 2048;

describe.each(FRAMEWORK_NAMES)('the upload page on %s', (framework) => {
  const t = suiteServer(framework);

  it('is served at / with its assets, without the API key', async () => {
    const page = await fetch(new URL('/', t.server.url));
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(page.headers.get('content-security-policy')).toContain(`connect-src 'self' ${t.server.url}`);
    const html = await page.text();
    expect(html).toContain('<progress id="progress"');
    for (const asset of ['/assets/tus.min.js', '/assets/page.js', '/assets/page.css']) {
      expect(html).toContain(`"${asset}"`);
      const response = await fetch(new URL(asset, t.server.url));
      expect(response.status, asset).toBe(200);
      expect(response.headers.get('content-type'), asset).toMatch(/^text\/(javascript|css); charset=utf-8$/);
    }
  });

  it('answers HEAD / like GET, without a body, and 404 for an unknown asset', async () => {
    const get = await fetch(new URL('/', t.server.url));
    const head = await fetch(new URL('/', t.server.url), { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.headers.get('content-length')).toBe(String(Buffer.byteLength(await get.text())));
    expect(await head.text()).toBe('');
    const missing = await fetch(new URL('/assets/missing.js', t.server.url));
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({ error: { code: 'not_found', message: 'No such endpoint.' } });
  });
});

// The page is the same whatever the framework (both serve it through the shared API): one run suffices.
describeWithTool(TOOLS.chromium, chromiumAvailability(), 'the upload page in Chromium', () => {
  const t = suiteServer('express');
  let browser: Browser | undefined;
  const open: UploadPageDriver[] = [];

  beforeAll(async () => {
    browser = await launchChromium();
  });
  afterEach(async () => {
    await Promise.all(open.splice(0).map((driver) => driver.close()));
  });
  afterAll(() => browser?.close());

  /** The page in a fresh context (its own storage) with the API key entered. */
  async function openPage(options: UploadPageOptions = {}): Promise<UploadPageDriver> {
    const driver = await UploadPageDriver.open(browser!, t.server.url, { chunkSize: CHUNK_SIZE, ...options });
    open.push(driver);
    await driver.enterKey(t.server.apiKey);
    return driver;
  }

  /** The asset id the page shows, once the asset exists. */
  async function shownAssetId(driver: UploadPageDriver): Promise<string> {
    await driver.page.locator('#asset [data-field="id"]', { hasText: /^[0-9a-f-]{36}$/ }).waitFor();
    return driver.field('id');
  }

  /** Opens the page and starts a throttled upload of the video; resolves once the page shows its asset. */
  async function startSlowUpload(options: UploadPageOptions = {}): Promise<{ driver: UploadPageDriver; id: string; uploadUrl: string }> {
    const driver = await openPage(options);
    await driver.throttleUploads(SLOW_UPLOAD_BYTES_PER_SECOND);
    await driver.pickFile(VIDEO);
    const id = await shownAssetId(driver);
    return { driver, id, uploadUrl: `${t.server.url}/v1/uploads/${id}` };
  }

  /** Checks what the page shows for a ready video against the API, and the bytes behind its download link. */
  async function expectReadyVideo(driver: UploadPageDriver, id: string): Promise<void> {
    await driver.waitForState('ready');
    const { body: asset } = await t.api.asset(id);
    expect(asset).toMatchObject({ state: 'ready', type: 'video', content_type: 'video/webm' });
    expect(await driver.field('type')).toBe('video (video/webm)');
    expect(await driver.field('duration')).toBe(`${asset.duration_seconds} s`);
    expect(await driver.waitForStatus(/^Ready/)).toBe(`Ready: video, ${asset.duration_seconds} seconds.`);
    const href = await driver.page.locator('#download-link').getAttribute('href');
    expect(href).toMatch(new RegExp(`^${t.server.url}/v1/downloads/${id}\\?`));
    const downloaded = await download(href!);
    expect(downloaded.status).toBe(200);
    expect(sha256(downloaded.bytes)).toBe(sha256(await readFile(VIDEO)));
  }

  it('uploads a video in small chunks, pauses, resumes and shows it ready', async () => {
    const { driver, id, uploadUrl } = await startSlowUpload();
    await driver.waitForProgress(6000);
    expect(await driver.page.locator('#stats').innerText()).toMatch(/^[\d.]+ KB of 24\.9 KB · [\d.]+ KB\/s · \d+ s left$/);

    await driver.page.click('#pause');
    expect(await driver.waitForStatus(/^Paused/)).toMatch(/^Paused at \d+\.\d KB of 24\.9 KB\.$/);
    const patchesWhenPaused = driver.patchOffsets().length;
    expect(await driver.page.locator('#pause').innerText()).toBe('Resume');
    const pausedAt = await t.api.offset(uploadUrl);
    expect(pausedAt).toBeGreaterThanOrEqual(4096);
    expect(pausedAt).toBeLessThan(24_864);
    expect(await driver.page.locator('#stats').innerText()).toMatch(/^[\d.]+ KB of 24\.9 KB · paused$/);
    await driver.screenshot('desktop-paused');
    expect(driver.patchOffsets()).toHaveLength(patchesWhenPaused);
    expect(await t.api.offset(uploadUrl)).toBe(pausedAt);

    await driver.throttleUploads(undefined);
    await driver.page.click('#pause');
    await expectReadyVideo(driver, id);
    const offsets = driver.patchOffsets();
    expect(offsets[patchesWhenPaused]).toBe(pausedAt);
    expect(offsets.every((offset, i) => i === 0 || offset >= offsets[i - 1]!)).toBe(true);
    expect(driver.requests.filter((r) => r.method === 'POST').map((r) => new URL(r.url).pathname)).toEqual(['/v1/projects', '/v1/assets']);
    await driver.screenshot('desktop-ready');
  });

  it('creates the project once for several uploads', async () => {
    const driver = await openPage({ chunkSize: 8192 });
    await driver.pickFile(VIDEO);
    await driver.waitForState('ready');
    await driver.pickFile(`${FIXTURES_DIR}/media/audio.ogg`);
    await driver.waitForState('ready');
    expect(await driver.field('type')).toBe('audio (audio/ogg)');
    const posts = driver.requests.filter((r) => r.method === 'POST').map((r) => new URL(r.url).pathname);
    expect(posts).toEqual(['/v1/projects', '/v1/assets', '/v1/assets']);
  });

  it('shows why a dropped PDF is rejected', async () => {
    const driver = await openPage();
    await driver.dropFile('document.pdf', 'application/pdf', await readFile(PDF));
    const id = await shownAssetId(driver);
    await driver.waitForState('failed');
    const { body: asset } = await t.api.asset(id);
    expect(asset).toMatchObject({ state: 'failed', error_code: 'unsupported_media_type' });
    expect(asset.error_message).toMatch(/pdf/i);
    expect(await driver.page.locator('#failure').innerText()).toBe(`${asset.error_message} (unsupported_media_type)`);
    expect(await driver.waitForStatus(/^Failed/)).toBe(`Failed: ${asset.error_message}`);
    // The 409 is final: no retry of the rejected chunk.
    expect(driver.patchOffsets()).toEqual([0]);
    expect(await driver.page.locator('#download').isHidden()).toBe(true);
    await driver.screenshot('desktop-rejected');
  });

  it('asks for the API key first, and says when it is refused', async () => {
    const driver = await UploadPageDriver.open(browser!, t.server.url);
    open.push(driver);
    await driver.pickFile(VIDEO);
    expect(await driver.waitForStatus(/./)).toBe('Enter the API key first.');
    expect((await driver.focus()).id).toBe('api-key');
    await driver.enterKey('not-the-key');
    await driver.pickFile(VIDEO);
    expect(await driver.waitForStatus(/^Could not/)).toBe('Could not create the asset: The API key was not accepted.');
    expect(driver.requests.map((r) => `${r.method} ${new URL(r.url).pathname}`)).toEqual(['POST /v1/projects']);
  });

  it('resumes after a reload mid-upload from the offset the server holds', async () => {
    const { driver, id, uploadUrl } = await startSlowUpload();
    await driver.waitForProgress(8000);

    await driver.page.reload();
    const heldAfterReload = await t.api.offset(uploadUrl);
    expect(heldAfterReload).toBeGreaterThanOrEqual(6144);
    expect(await driver.page.locator('#unfinished').innerText()).toMatch(/^Unfinished: video\.webm \([\d.]+ KB of 24\.9 KB\)\. Pick the same file to resume\.$/);
    expect(await driver.page.inputValue('#api-key')).toBe(t.server.apiKey);

    const sentBeforeReload = driver.requests.length;
    await driver.throttleUploads(undefined);
    await driver.pickFile(VIDEO);
    await expectReadyVideo(driver, id);
    const afterReload = driver.requests.slice(sentBeforeReload);
    expect(afterReload.filter((r) => r.method === 'POST')).toEqual([]);
    expect(afterReload.find((r) => r.method === 'PATCH')?.offset).toBe(heldAfterReload);
  });

  it('cancels an upload: the DELETE removes the upload and its asset', async () => {
    const { driver, id, uploadUrl } = await startSlowUpload();
    await driver.waitForProgress(2048);

    await driver.page.click('#cancel');
    expect(await driver.waitForStatus(/^Cancelled/)).toBe('Cancelled: the upload and its asset were deleted.');
    expect(driver.requests.filter((r) => r.method === 'DELETE').map((r) => r.url)).toEqual([uploadUrl]);
    expect((await t.api.asset(id)).status).toBe(404);
    const head = await fetch(uploadUrl, { method: 'HEAD', headers: { ...t.api.auth, 'tus-resumable': '1.0.0' } });
    expect(head.status).toBe(404);
    expect(await driver.field('state')).toBe('deleted');
    expect(await driver.page.locator('#pause').isDisabled()).toBe(true);
  });

  it('works with the keyboard alone, with a visible focus ring', async () => {
    const driver = await UploadPageDriver.open(browser!, t.server.url, { chunkSize: CHUNK_SIZE });
    open.push(driver);
    const { keyboard } = driver.page;
    // Waiting from the start lets Playwright intercept the chooser well before Space opens it.
    const chooser = driver.page.waitForEvent('filechooser');
    await driver.throttleUploads(SLOW_UPLOAD_BYTES_PER_SECOND);

    await keyboard.press('Tab');
    expect(await driver.focus()).toEqual({ id: 'api-key', ring: true });
    await keyboard.type(t.server.apiKey);
    await keyboard.press('Tab');
    expect(await driver.focus()).toEqual({ id: 'file', ring: true });
    await keyboard.press('Space');
    await (await chooser).setFiles(VIDEO);
    const id = await shownAssetId(driver);

    await driver.page.locator('#pause:enabled').waitFor();
    await keyboard.press('Tab');
    expect(await driver.focus()).toEqual({ id: 'pause', ring: true });
    await keyboard.press('Enter');
    await driver.waitForStatus(/^Paused/);
    expect(await driver.focus()).toEqual({ id: 'pause', ring: true });
    await driver.throttleUploads(undefined);
    await keyboard.press('Enter');
    await driver.waitForState('ready');

    // The finished upload disables its buttons; the focus moves back to the file picker, then on to the link.
    expect(await driver.focus()).toEqual({ id: 'file', ring: true });
    await keyboard.press('Tab');
    expect(await driver.focus()).toEqual({ id: 'download-link', ring: true });
    const [saved] = await Promise.all([driver.page.waitForEvent('download'), keyboard.press('Enter')]);
    expect(saved.suggestedFilename()).toBe(`${id}.webm`);
    expect(sha256(await readFile(await saved.path()))).toBe(sha256(await readFile(VIDEO)));
  });

  it('fits a phone-sized viewport without horizontal scrolling, paused and ready', async () => {
    const { driver } = await startSlowUpload({ viewport: { width: 375, height: 667 } });
    await driver.waitForProgress(4000);
    await driver.page.click('#pause');
    await driver.waitForStatus(/^Paused/);
    await expectFitsPhone(driver, 'phone-paused');

    await driver.throttleUploads(undefined);
    await driver.page.click('#pause');
    await driver.page.locator('#download').waitFor();
    await expectFitsPhone(driver, 'phone-ready');
  });

  /** Nothing is wider than the 375 px viewport; the screenshot is saved for a human eye. */
  async function expectFitsPhone(driver: UploadPageDriver, screenshot: string): Promise<void> {
    const widths = await driver.widths();
    expect(widths.document, screenshot).toBeLessThanOrEqual(375);
    expect(widths.widest, screenshot).toBeLessThanOrEqual(375);
    await driver.screenshot(screenshot);
  }
});
