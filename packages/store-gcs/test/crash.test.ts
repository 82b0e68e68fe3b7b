import { crashCases } from '@tuskit/testkit/robustness';
import { gcsBackend } from './support/backend.js';
import { describeWithFakeGcs } from './support/fake-gcs.js';

describeWithFakeGcs('GcsStore when the server is SIGKILLed mid-PATCH', (gcs) => crashCases(gcsBackend(gcs)));
