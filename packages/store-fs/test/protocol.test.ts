import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { toNodeHandler } from '@tuskit/core/node';
import { describeTusProtocol, listenOnLoopback } from '@tuskit/core/testing';
import { FileStore } from '../src/index.js';

describeTusProtocol({
  name: 'node:http with the fs store',
  createStore: () => new FileStore({ directory: mkdtempSync(join(tmpdir(), 'tuskit-fs-protocol-')) }),
  serve: async (tus) => listenOnLoopback(createServer(toNodeHandler(tus))),
});
