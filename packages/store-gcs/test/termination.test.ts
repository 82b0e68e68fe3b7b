import { terminationCases } from '@tuskit/testkit/robustness';
import { gcsBackend } from './support/backend.js';
import { describeWithFakeGcs } from './support/fake-gcs.js';

describeWithFakeGcs('GcsStore termination, rejection and expiry', (gcs) => terminationCases(gcsBackend(gcs)));
