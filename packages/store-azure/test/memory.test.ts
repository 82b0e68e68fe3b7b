import { boundedMemoryCases } from '@tuskit/testkit/robustness';
import { describeWithAzurite } from './support/azurite.js';
import { azureBackend } from './support/backend.js';

describeWithAzurite('AzureStore memory use', (azure) => boundedMemoryCases(azureBackend(azure)));
