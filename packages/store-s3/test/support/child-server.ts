/**
 * A tiny TUS server over the S3 store, run in a process of its own by
 * child.test.ts (so that it can be SIGKILLed and its memory measured). It
 * prints one JSON line per event on stdout: `listening`, then `part` after
 * each part S3 acknowledged.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { S3ClientConfig } from '@aws-sdk/client-s3';
import { createTus } from '@tuskit/core';
import { toNodeHandler } from '@tuskit/core/node';
import { S3Store, createS3StoreClient, type S3StoreOptions } from '../../src/index.js';

/** What the parent passes in `CHILD_CONFIG`. */
export interface ChildConfig {
  client: S3ClientConfig;
  store: Omit<S3StoreOptions, 'client'>;
}

interface Sample {
  rss: number;
  arrayBuffers: number;
}

const config = JSON.parse(process.env.CHILD_CONFIG ?? '{}') as ChildConfig;
const report = (event: Record<string, unknown>) => process.stdout.write(`${JSON.stringify(event)}\n`);

const client = createS3StoreClient(config.client);
client.middlewareStack.add(
  (next, context) => async (args) => {
    const result = await next(args);
    const { PartNumber } = args.input as { PartNumber?: number };
    if (context.commandName === 'UploadPartCommand') report({ event: 'part', partNumber: PartNumber });
    return result;
  },
  { step: 'initialize', name: 'reportParts' },
);
const tus = createTus({ store: new S3Store({ ...config.store, client }), basePath: '/uploads' });
const handleTus = toNodeHandler(tus);

/** Peak memory since the last reset, sampled every few milliseconds. */
const memory = {
  baseline: sample(),
  peak: sample(),
  reset() {
    globalThis.gc?.();
    this.baseline = sample();
    this.peak = sample();
  },
};
setInterval(() => {
  // Only what is still referenced counts: request chunks already copied are
  // garbage the collector may leave around for a while.
  globalThis.gc?.();
  const now = sample();
  memory.peak = {
    rss: Math.max(memory.peak.rss, now.rss),
    arrayBuffers: Math.max(memory.peak.arrayBuffers, now.arrayBuffers),
  };
}, 50).unref();

function sample(): Sample {
  const { rss, arrayBuffers } = process.memoryUsage();
  return { rss, arrayBuffers };
}

function json(res: ServerResponse, body: unknown): void {
  res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

/** The control of the memory test: a handler that holds a whole body in memory. */
async function bufferWholeBody(req: IncomingMessage): Promise<number> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).length;
}

const server = createServer((req, res) => {
  const url = new URL(req.url ?? '/', 'http://child');
  if (url.pathname === '/create') {
    const size = Number(url.searchParams.get('size'));
    tus.createUpload({ size, origin: origin() }).then(({ id, url }) => json(res, { id, url }));
  } else if (url.pathname === '/memory') {
    if (req.method === 'POST') memory.reset();
    json(res, { baseline: memory.baseline, peak: memory.peak });
  } else if (url.pathname === '/buffering') {
    bufferWholeBody(req).then((length) => json(res, { length }));
  } else {
    handleTus(req, res);
  }
});
const origin = () => `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
server.listen(0, '127.0.0.1', () => report({ event: 'listening', origin: origin() }));
