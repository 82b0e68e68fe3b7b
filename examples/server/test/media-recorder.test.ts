import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import { MemoryStore, createTus, type Tus } from '@tuskit/core';
import { toNodeHandler } from '@tuskit/core/node';
import { listenOnLoopback, type ServedTus } from '@tuskit/core/testing';
import { TOOLS, describeWithTool } from '@tuskit/testkit';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { CHROMIUM_PATH, chromiumAvailability } from './support/browser.js';

/**
 * The page records a canvas animation and an oscillator with MediaRecorder
 * and uploads the recording while it is still being made (tus-js-client,
 * `uploadLengthDeferred`), keeping a copy of every byte the recorder gave it.
 */
const PAGE = `<!doctype html><meta charset="utf-8"><canvas width="160" height="120"></canvas>
<script src="/tus.min.js"></script>
<script>
window.record = async (endpoint, durationMs) => {
  const canvas = document.querySelector('canvas');
  const context2d = canvas.getContext('2d');
  let frame = 0;
  const timer = setInterval(() => {
    context2d.fillStyle = 'hsl(' + (frame * 17) % 360 + ', 80%, 50%)';
    context2d.fillRect(0, 0, 160, 120);
    context2d.fillStyle = '#fff';
    context2d.fillText(String(frame++), 10, 60);
  }, 40);
  const audio = new AudioContext();
  const oscillator = audio.createOscillator();
  const destination = audio.createMediaStreamDestination();
  oscillator.connect(destination);
  oscillator.start();
  const stream = new MediaStream([...canvas.captureStream(25).getVideoTracks(), ...destination.stream.getAudioTracks()]);
  const recorder = new MediaRecorder(stream, { mimeType: 'video/webm' });
  const recorded = [];
  const { readable, writable } = new TransformStream();
  const writer = writable.getWriter();
  let queue = Promise.resolve();
  recorder.ondataavailable = (event) => {
    queue = queue.then(async () => {
      const bytes = new Uint8Array(await event.data.arrayBuffer());
      if (bytes.length === 0) return;
      recorded.push(bytes);
      await writer.write(bytes);
    });
  };
  recorder.onstop = () => { queue = queue.then(() => writer.close()); };
  const url = await new Promise((resolve, reject) => {
    const upload = new tus.Upload(readable.getReader(), {
      endpoint,
      uploadLengthDeferred: true,
      chunkSize: 16 * 1024,
      retryDelays: null,
      metadata: { filename: 'recording.webm', filetype: 'video/webm' },
      onSuccess: () => resolve(upload.url),
      onError: reject,
    });
    upload.start();
    recorder.start(100);
    setTimeout(() => { recorder.stop(); clearInterval(timer); oscillator.stop(); }, durationMs);
  });
  const all = new Uint8Array(recorded.reduce((n, b) => n + b.length, 0));
  let at = 0;
  for (const bytes of recorded) { all.set(bytes, at); at += bytes.length; }
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', all));
  return { url, size: all.length, sha256: Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join('') };
};
</script>`;

declare const window: { record(endpoint: string, durationMs: number): Promise<{ url: string; size: number; sha256: string }> };

describeWithTool(TOOLS.chromium, chromiumAvailability(), 'a MediaRecorder recording uploaded from Chromium with deferred length', () => {
  const store = new MemoryStore();
  let tus: Tus;
  let served: ServedTus;
  let browser: Browser | undefined;
  /** The length headers of each TUS request: `defer` for `Upload-Defer-Length`, else `Upload-Length` or ''. */
  const lengths: string[] = [];

  beforeAll(async () => {
    // The reference server's default rule: only audio and video, judged on the first bytes.
    tus = createTus({ store, basePath: '/files', creation: true, relativeLocation: true });
    const handler = toNodeHandler(tus);
    const tusBuild = await readFile(createRequire(import.meta.url).resolve('tus-js-client/dist/tus.min.js'), 'utf8');
    served = await listenOnLoopback(
      createServer((req, res) => {
        if (req.url === '/') return void res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(PAGE);
        if (req.url === '/tus.min.js') return void res.writeHead(200, { 'content-type': 'text/javascript' }).end(tusBuild);
        if (req.url?.startsWith('/files')) lengths.push(req.headers['upload-defer-length'] === '1' ? 'defer' : String(req.headers['upload-length'] ?? ''));
        handler(req, res);
      }),
    );
    browser = await chromium.launch({
      executablePath: CHROMIUM_PATH,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--autoplay-policy=no-user-gesture-required'],
    });
  });
  afterAll(async () => {
    await browser?.close();
    await tus.close();
    await served.close();
  });

  it('stores byte for byte what the recorder produced, validated as video/webm on its first bytes', async () => {
    const page = await browser!.newPage();
    await page.goto(`${served.origin}/`);
    const recorded = await page.evaluate(({ endpoint }) => window.record(endpoint, 1500), { endpoint: `${served.origin}/files` });
    await page.close();
    expect(recorded.size).toBeGreaterThan(16 * 1024);
    const id = recorded.url.split('/').pop() ?? '';
    const stored = await store.open(id);
    expect(stored?.info).toMatchObject({ size: recorded.size, offset: recorded.size, finalized: true, media: { mime: 'video/webm' } });
    const hash = createHash('sha256');
    for await (const chunk of await store.read(id)) hash.update(chunk as Buffer);
    expect(hash.digest('hex')).toBe(recorded.sha256);
    // Created without a length; only the last PATCH declared it.
    expect(lengths[0]).toBe('defer');
    expect(lengths.at(-1)).toBe(String(recorded.size));
    expect(lengths.slice(1, -1).every((length) => length === '')).toBe(true);
  });
});
