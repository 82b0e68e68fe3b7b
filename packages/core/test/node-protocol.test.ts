import { expect } from 'vitest';
import { createServer } from 'node:http';
import { describeTusProtocol, listenOnLoopback } from '../src/testing/index.js';
import { toNodeHandler } from '../src/node.js';
import { FIXTURES_DIR } from './fixtures.js';

describeTusProtocol({
  name: 'node:http',
  fixturesDir: FIXTURES_DIR,
  serve: async (tus) => listenOnLoopback(createServer(toNodeHandler(tus))),
  expectContext: (context) => expect((context as { method?: string }).method).toMatch(/^[A-Z]+$/),
});
