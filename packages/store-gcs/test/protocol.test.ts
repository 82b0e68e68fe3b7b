import { createServer } from 'node:http';
import { toNodeHandler } from '@tuskit/core/node';
import { describeTusProtocol, listenOnLoopback } from '@tuskit/core/testing';
import { describeWithFakeGcs } from './support/fake-gcs.js';

describeWithFakeGcs('the TUS protocol over node:http with GcsStore', (gcs) => {
  describeTusProtocol({
    name: 'node:http with the GCS store',
    // A local throwaway key signs download URLs; the emulator serves them, response-* parameters included.
    createStore: () => gcs.signingStore({ keyPrefix: 'protocol/' }),
    serve: async (tus) => listenOnLoopback(createServer(toNodeHandler(tus))),
  });
});
