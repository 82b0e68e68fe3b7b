import { createServer } from 'node:http';
import Router from '@koa/router';
import { describeTusProtocol, listenOnLoopback } from '@tuskit/core/testing';
import Koa from 'koa';
import { expect } from 'vitest';
import { tusKoa } from '../src/index.js';

const expectContext = (context: unknown) => {
  expect((context as Koa.Context).app).toBeInstanceOf(Koa);
  expect((context as Koa.Context).state).toBeTypeOf('object');
};

describeTusProtocol({
  name: 'koa',
  serve: async (tus) => {
    const app = new Koa().use(tusKoa(tus));
    return listenOnLoopback(createServer(app.callback()));
  },
  expectContext,
});

describeTusProtocol({
  name: 'koa under @koa/router',
  serve: async (tus) => {
    const router = new Router().all([tus.basePath, `${tus.basePath}/:id`], tusKoa(tus));
    const app = new Koa().use(router.routes()).use(router.allowedMethods());
    return listenOnLoopback(createServer(app.callback()));
  },
  expectContext,
});
