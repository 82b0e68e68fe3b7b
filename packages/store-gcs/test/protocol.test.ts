import { createServer } from 'node:http';
import { toNodeHandler } from '@tuskit/core/node';
import { describeTusProtocol, listenOnLoopback } from '@tuskit/core/testing';
import { describeWithFakeGcs } from './support/fake-gcs.js';

describeWithFakeGcs('the TUS protocol over node:http with GcsStore', (gcs) => {
  describeTusProtocol({
    name: 'node:http with the GCS store',
    createStore: () => gcs.store({ keyPrefix: 'protocol/' }),
    // The emulator holds no credentials to sign with, and asking for them would leave the machine.
    signsDownloadUrls: false,
    serve: async (tus) => listenOnLoopback(createServer(toNodeHandler(tus))),
  });
});
