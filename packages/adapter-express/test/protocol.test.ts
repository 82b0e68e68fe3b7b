import { IncomingMessage, createServer } from 'node:http';
import { describeTusProtocol, listenOnLoopback } from '@tuskit/core/testing';
import express from 'express';
import { expect } from 'vitest';
import { tusExpress } from '../src/index.js';

describeTusProtocol({
  name: 'express',
  serve: async (tus) => {
    const app = express();
    app.use(tus.basePath, tusExpress(tus));
    return listenOnLoopback(createServer(app));
  },
  expectContext: (context) => {
    expect(context).toBeInstanceOf(IncomingMessage);
    expect((context as express.Request).app).toBeTypeOf('function');
    expect((context as express.Request).baseUrl).toBe('/v1/uploads');
  },
});
