import { MemoryStore } from '../src/memory-store.js';
import { describeStoreConformance } from '../src/testing/index.js';

const store = new MemoryStore();
describeStoreConformance({ name: 'MemoryStore', createStore: () => store });
