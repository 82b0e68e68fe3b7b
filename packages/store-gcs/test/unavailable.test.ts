import { unavailableCases } from '@tuskit/testkit/robustness';
import { describe } from 'vitest';
import { gcsUnavailable } from './support/backend.js';

describe('GcsStore when GCS is unreachable or misbehaves', () => unavailableCases(gcsUnavailable));
