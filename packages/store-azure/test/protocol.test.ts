import { createServer } from 'node:http';
import { toNodeHandler } from '@tuskit/core/node';
import { describeTusProtocol, listenOnLoopback } from '@tuskit/core/testing';
import { describeWithAzurite } from './support/azurite.js';

describeWithAzurite('the TUS protocol over node:http with AzureStore', (azure) => {
  describeTusProtocol({
    name: 'node:http with the Azure store',
    createStore: () => azure.store({ keyPrefix: 'protocol/' }),
    concatenation: false,
    serve: async (tus) => listenOnLoopback(createServer(toNodeHandler(tus))),
  });
});
