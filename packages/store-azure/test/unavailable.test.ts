import { unavailableCases } from '@tuskit/testkit/robustness';
import { describe } from 'vitest';
import { azureUnavailable } from './support/backend.js';

describe('AzureStore when the service is unreachable or misbehaves', () => unavailableCases(azureUnavailable));
