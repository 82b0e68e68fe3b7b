import type { Server } from 'node:http';
import { createAdaptorServer } from '@hono/node-server';
import { describeTusProtocol, listenOnLoopback } from '@tuskit/core/testing';
import { Hono } from 'hono';
import { expect } from 'vitest';
import { toFetchHandler } from '../src/index.js';

describeTusProtocol({
  name: 'the fetch adapter in Hono on @hono/node-server',
  serve: async (tus) => {
    const handle = toFetchHandler(tus);
    const app = new Hono();
    app.all(tus.basePath, (c) => handle(c.req.raw));
    app.all(`${tus.basePath}/*`, (c) => handle(c.req.raw));
    return listenOnLoopback(createAdaptorServer({ fetch: app.fetch }) as Server);
  },
  readsTrailers: false,
  // @hono/node-server's server answers a parse error at once, with Node's default `clientError`.
  answersBeforeParseErrors: false,
  expectContext: (context) => expect(context).toBeInstanceOf(Request),
});
