import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { TOOLS, describeWithTool } from '@tuskit/testkit';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sha256 } from './support/assertions.js';
import { chromiumAvailability, launchChromium } from './support/browser.js';
import { FIXTURES_DIR } from './support/media.js';
import { download, FRAMEWORK_NAMES, suiteServer } from './support/server.js';

const APP = 'https://app.example';

describe.each(FRAMEWORK_NAMES)('CORS on the REST API on %s', (framework) => {
  const t = suiteServer(framework, { corsOrigins: [APP] });

  it('answers a preflight from a listed origin without the API key', async () => {
    const response = await fetch(new URL('/v1/assets', t.server.url), {
      method: 'OPTIONS',
      headers: { origin: APP, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization, content-type' },
    });
    expect(response.status).toBe(204);
    expect(response.headers.get('access-control-allow-origin')).toBe(APP);
    expect(response.headers.get('access-control-allow-methods')).toContain('POST');
    expect(response.headers.get('access-control-allow-headers')).toBe('Authorization, Content-Type');
    expect(response.headers.get('vary')).toBe('Origin');
  });

  it('lets a listed origin read Location of a new asset; the TUS endpoints follow the same list', async () => {
    const answer = await t.api.call('POST', '/v1/assets', {
      body: { project_id: t.project.id, size_bytes: 1000 },
      headers: { origin: APP },
    });
    expect(answer.status).toBe(201);
    expect(answer.headers.get('access-control-allow-origin')).toBe(APP);
    expect(answer.headers.get('access-control-expose-headers')).toMatch(/\bLocation\b.*\bUpload-Expires\b/);
    const location = answer.headers.get('location') ?? '';
    const head = await fetch(location, { method: 'HEAD', headers: { ...t.api.auth, 'tus-resumable': '1.0.0', origin: APP } });
    expect(head.headers.get('access-control-allow-origin')).toBe(APP);
    const other = await fetch(location, { method: 'HEAD', headers: { ...t.api.auth, 'tus-resumable': '1.0.0', origin: 'https://evil.example' } });
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('gives an unlisted origin no Allow-Origin, and still needs the key for anything but a preflight', async () => {
    const preflight = await fetch(new URL('/v1/assets', t.server.url), {
      method: 'OPTIONS',
      headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' },
    });
    expect(preflight.headers.get('access-control-allow-origin')).toBeNull();
    const list = await t.api.call('GET', '/v1/assets', { headers: { origin: 'https://evil.example' } });
    expect(list.status).toBe(200);
    expect(list.headers.get('access-control-allow-origin')).toBeNull();
    expect(list.headers.get('vary')).toBe('Origin');
    const anonymous = await t.api.call('OPTIONS', '/v1/assets', { auth: false, headers: { origin: APP } });
    expect(anonymous.status).toBe(401);
  });
});

/** Serves one HTML page and tus-js-client's browser build: "the host's own web app" on an origin of its own. */
async function servePage(): Promise<{ origin: string; server: Server }> {
  const tusBuild = await readFile(createRequire(import.meta.url).resolve('tus-js-client/dist/tus.min.js'));
  const server = createServer((req, res) => {
    if (req.url === '/tus.min.js') return void res.writeHead(200, { 'content-type': 'text/javascript' }).end(tusBuild);
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end('<!doctype html><script src="/tus.min.js"></script>');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

// What runs in the page: the documented browser flow, REST create then tus-js-client. Plain JS for `evaluate`.
declare const tus: { Upload: new (file: Blob, options: Record<string, unknown>) => { start(): void } };
async function createAndUpload({ api, key, bytes }: { api: string; key: string; bytes: number[] }): Promise<{ id: string; location: string }> {
  const auth = { authorization: `Bearer ${key}` };
  const project = (await (await fetch(`${api}/v1/projects`, { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: '{}' })).json()) as { id: string };
  const created = await fetch(`${api}/v1/assets`, {
    method: 'POST',
    headers: { ...auth, 'content-type': 'application/json' },
    body: JSON.stringify({ project_id: project.id, size_bytes: bytes.length }),
  });
  const asset = (await created.json()) as { id: string };
  const location = created.headers.get('location') ?? '';
  await new Promise<void>((resolve, reject) => {
    const upload = new tus.Upload(new Blob([new Uint8Array(bytes)]), {
      uploadUrl: location,
      headers: auth,
      chunkSize: 8192,
      onSuccess: resolve,
      onError: reject,
    });
    upload.start();
  });
  return { id: asset.id, location };
}

describeWithTool(TOOLS.chromium, chromiumAvailability(), 'the browser flow from another origin, in Chromium', () => {
  let page: { origin: string; server: Server } | undefined;
  let browser: Browser | undefined;
  // Before the suite server's own hook, which reads the origin list.
  beforeAll(async () => {
    page = await servePage();
    browser = await launchChromium();
  });
  const t = suiteServer('express', {
    get corsOrigins() {
      return page ? [page.origin] : [];
    },
  });
  afterAll(async () => {
    await browser?.close();
    await new Promise((resolve) => page?.server.close(resolve));
  });

  it('creates an asset with fetch and uploads it with tus-js-client from the listed origin', async () => {
    const video = await readFile(`${FIXTURES_DIR}/media/video.webm`);
    const context = await browser!.newContext();
    try {
      const tab = await context.newPage();
      await tab.goto(page!.origin);
      expect(new URL(tab.url()).origin).not.toBe(new URL(t.server.url).origin);
      const { id, location } = await tab.evaluate(createAndUpload, { api: t.server.url, key: t.server.apiKey, bytes: [...video] });
      expect(location).toBe(`${t.server.url}/v1/uploads/${id}`);
      await t.server.drain();
      const { body: asset } = await t.api.asset(id);
      expect(asset).toMatchObject({ state: 'ready', content_type: 'video/webm', size_bytes: video.length });
      const downloaded = await download(asset.download_url ?? '');
      expect(sha256(downloaded.bytes)).toBe(sha256(video));
    } finally {
      await context.close();
    }
  });

  it('is refused by the browser from an origin that is not listed', async () => {
    const stranger = createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html>'));
    await new Promise<void>((resolve) => stranger.listen(0, '127.0.0.1', resolve));
    const context = await browser!.newContext();
    try {
      const tab = await context.newPage();
      await tab.goto(`http://127.0.0.1:${(stranger.address() as AddressInfo).port}/`);
      const outcome = await tab.evaluate(
        async ({ api, key }) =>
          fetch(`${api}/v1/projects`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: '{}' }).then(
            (r) => `status ${r.status}`,
            (e: Error) => e.name,
          ),
        { api: t.server.url, key: t.server.apiKey },
      );
      expect(outcome).toBe('TypeError');
    } finally {
      await context.close();
      await new Promise((resolve) => stranger.close(resolve));
    }
  });
});
