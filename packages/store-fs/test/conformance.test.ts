import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeStoreConformance } from '@tuskit/core/testing';
import { FileStore } from '../src/index.js';

const directory = mkdtempSync(join(tmpdir(), 'tuskit-fs-conformance-'));

describeStoreConformance({
  name: 'FileStore',
  createStore: () => new FileStore({ directory }),
  leftovers: async (id) => readdirSync(directory).filter((name) => name === id || name.startsWith(`${id}.`)),
});
