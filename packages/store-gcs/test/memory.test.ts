import { boundedMemoryCases } from '@tuskit/testkit/robustness';
import { gcsBackend } from './support/backend.js';
import { describeWithFakeGcs } from './support/fake-gcs.js';

describeWithFakeGcs('GcsStore memory use', (gcs) => boundedMemoryCases(gcsBackend(gcs)));
