import { terminationCases } from '@tuskit/testkit/robustness';
import { describeWithAzurite } from './support/azurite.js';
import { azureBackend } from './support/backend.js';

describeWithAzurite('AzureStore termination, rejection and expiry', (azure) => terminationCases(azureBackend(azure)));
