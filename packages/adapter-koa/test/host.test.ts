import { once } from 'node:events';
import { createServer } from 'node:http';
import { connect } from 'node:net';
import { buffer } from 'node:stream/consumers';
import { bodyParser } from '@koa/bodyparser';
import Router from '@koa/router';
import { MemoryStore, createTus, type TusOptions } from '@tuskit/core';
import { sha256, wavFile } from '@tuskit/core/testing';
import Koa, { type Context, type Middleware } from 'koa';
import { afterEach, describe, expect, it } from 'vitest';
import { tusKoa, type TusKoaOptions } from '../src/index.js';
import {
  API_KEY,
  closeHosts,
  embeddingCases,
  expectRestOfAppServed,
  hostTusOptions,
  patch,
  send,
  serve,
  uploadThroughApp,
  type Host,
} from '@tuskit/testkit/embedding';

interface HostSetup {
  /** Middleware mounted app-wide before everything else. */
  before?: Middleware[];
  tus?: Partial<TusOptions<Context>>;
  adapter?: TusKoaOptions;
  /** Receives what reaches `app.onerror`. */
  appErrors?: unknown[];
}

/** An existing Koa app embedding the middleware: auth, TUS, its own routes, then a catch-all. */
async function startHost(setup: HostSetup = {}): Promise<Host<Context>> {
  const recorded: Pick<Host<Context>, 'errors' | 'contexts'> = { errors: [], contexts: [] };
  const tus = createTus<Context>({
    store: new MemoryStore(),
    ...hostTusOptions((ctx: Context) => ctx.state.user, recorded),
    ...setup.tus,
  });
  const app = new Koa();
  if (setup.appErrors) app.on('error', (error: unknown) => setup.appErrors!.push(error));
  for (const middleware of setup.before ?? []) app.use(middleware);
  app.use(async (ctx, next) => {
    if (ctx.get('authorization') === `Bearer ${API_KEY}`) ctx.state.user = { id: 'user-1' };
    await next();
  });
  const router = new Router().post('/v1/assets', bodyParser(), async (ctx) => {
    const { size } = ctx.request.body as { size: number };
    const created = await tus.createUpload({ size, origin: tus.originFor(ctx.headers) });
    ctx.set(created.headers);
    ctx.status = 201;
    ctx.body = { id: created.id };
  });
  app.use(tusKoa(tus, setup.adapter));
  app.use(router.routes());
  app.use((ctx) => {
    if (ctx.path === '/health') ctx.body = 'ok';
    if (ctx.path === '/boom') throw new Error('the app failed');
  });
  return { tus, origin: await serve(createServer(app.callback())), ...recorded };
}

afterEach(closeHosts);

embeddingCases<Context>((options) => startHost({ tus: options }), (ctx) => ctx.state.user);

describe('body parsers mounted before the middleware', () => {
  const data = wavFile(1_500_000);

  it('@koa/bodyparser for json, form, text and xml leaves PATCH bodies alone: sha256-exact', async () => {
    const host = await startHost({ before: [bodyParser({ enableTypes: ['json', 'form', 'text', 'xml'] })] });
    expect(await uploadThroughApp(host, data, 512 * 1024)).toBe(await sha256(data));
  });

  it('a reader that consumed the body into ctx.request.body hands its buffer on', async () => {
    const readRaw: Middleware = async (ctx, next) => {
      ctx.request.body = await buffer(ctx.req);
      await next();
    };
    const host = await startHost({ before: [readRaw] });
    expect(await uploadThroughApp(host, data, 512 * 1024)).toBe(await sha256(data));
  });

  it('parsedBody says where a custom reader left the bytes', async () => {
    const readRaw: Middleware = async (ctx, next) => {
      ctx.state.raw = await buffer(ctx.req);
      await next();
    };
    const host = await startHost({ before: [readRaw], adapter: { parsedBody: (ctx) => ctx.state.raw } });
    expect(await uploadThroughApp(host, data, 600_000)).toBe(await sha256(data));
  });
});

describe('mounted with app.use', () => {
  it('leaves every path outside tus.basePath to the rest of the app', async () => {
    await expectRestOfAppServed((await startHost()).origin);
  });

  it('upstream middleware sees the status the core answered with', async () => {
    const seen: string[] = [];
    const logger: Middleware = async (ctx, next) => {
      await next();
      seen.push(`${ctx.method} ${ctx.status}`);
    };
    const host = await startHost({ before: [logger] });
    const created = await host.tus.createUpload({ size: 1000, origin: host.origin });
    expect((await patch(created.url, 0, wavFile(1000))).status).toBe(204);
    expect((await send(created.url, 'HEAD', { authorization: 'Bearer wrong' })).status).toBe(401);
    expect(seen).toEqual(['PATCH 204', 'HEAD 401']);
  });
});

describe('a client hanging up mid-PATCH', () => {
  it('never reaches app.onerror: the core keeps its bytes, the app still hears of its own errors', async () => {
    const appErrors: unknown[] = [];
    const host = await startHost({ appErrors });
    const data = wavFile(256 * 1024);
    const created = await host.tus.createUpload({ size: data.length, origin: host.origin });
    // A raw socket: the headers announce the whole body, a quarter of it follows, then the client hangs up.
    const { pathname, port } = new URL(created.url);
    const socket = connect(Number(port), '127.0.0.1');
    socket.write(
      `PATCH ${pathname} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${API_KEY}\r\nTus-Resumable: 1.0.0\r\n` +
        `Upload-Offset: 0\r\nContent-Type: application/offset+octet-stream\r\nContent-Length: ${data.length}\r\n\r\n`,
    );
    socket.end(data.subarray(0, 64 * 1024));
    socket.resume();
    await once(socket, 'close');
    const head = await send(created.url, 'HEAD');
    expect(head.status).toBe(200);
    expect(head.headers.get('upload-offset')).toBe(String(64 * 1024));
    expect((await send(`${host.origin}/boom`, 'GET')).status).toBe(500);
    expect(appErrors).toEqual([expect.objectContaining({ message: 'the app failed' })]);
  });
});
