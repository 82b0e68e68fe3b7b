import { unavailableCases } from '@tuskit/testkit/robustness';
import { describe } from 'vitest';
import { S3Store, createS3StoreClient } from '../src/index.js';

const credentials = { accessKeyId: 'tuskit', secretAccessKey: 'tuskit-secret' };

describe('S3Store when S3 is unreachable or misbehaves', () =>
  unavailableCases({
    storeAt: (endpoint, socketTimeoutMs) => {
      const config = { endpoint, region: 'us-east-1', forcePathStyle: true, credentials, maxAttempts: 2 };
      return new S3Store({ bucket: 'uploads', client: createS3StoreClient(config, { socketTimeoutMs }) });
    },
    contentType: 'application/xml',
    // `read` makes one request (the object): tried, then retried once (maxAttempts: 2).
    busy: { body: '<?xml version="1.0"?><Error><Code>ServiceUnavailable</Code></Error>', operation: 'read', requests: 2 },
    refused: {
      body: '<?xml version="1.0"?><Error><Code>AccessDenied</Code></Error>',
      error: { name: 'AccessDenied', $metadata: { httpStatusCode: 403 } },
    },
    timesOut: true,
  }),
);
