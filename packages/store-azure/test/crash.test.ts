import { crashCases } from '@tuskit/testkit/robustness';
import { describeWithAzurite } from './support/azurite.js';
import { azureBackend } from './support/backend.js';

describeWithAzurite('AzureStore when the server is SIGKILLed mid-PATCH', (azure) => crashCases(azureBackend(azure)));
