import { expect } from 'vitest';
import { createServer } from 'node:http';
import { describeTusProtocol, listenOnLoopback } from '../src/testing/index.js';
import { toNodeHandler } from '../src/node.js';

describeTusProtocol({
  name: 'node:http',
  serve: async (tus) => listenOnLoopback(createServer(toNodeHandler(tus))),
  expectContext: (context) => expect((context as { method?: string }).method).toMatch(/^[A-Z]+$/),
});
