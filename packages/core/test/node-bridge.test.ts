import { createServer, request as httpRequest, type IncomingMessage } from 'node:http';
import { once } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import type { ClientSignal, TusRequest, TusResponse } from '../src/http.js';
import { handleNodeRequest } from '../src/node.js';
import type { Tus } from '../src/tus.js';
import { listenOnLoopback } from '../src/testing/index.js';

/** Stands in for a Tus: hands over the request it gets and answers when told. */
function heldTus() {
  let arrive!: (request: TusRequest) => void;
  let answer!: (response: TusResponse) => void;
  const arrived = new Promise<TusRequest>((resolve) => (arrive = resolve));
  const answered = new Promise<TusResponse>((resolve) => (answer = resolve));
  const tus = { handle: (request: TusRequest) => (arrive(request), answered) } as unknown as Tus<unknown>;
  return { tus, arrived, answer };
}

describe('the Node bridge signal', () => {
  let close: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await close?.();
    close = undefined;
  });

  async function serve(tus: Tus<unknown>): Promise<string> {
    const served = await listenOnLoopback(createServer((req, res) => void handleNodeRequest(tus, req, res, req)));
    close = served.close;
    return served.origin;
  }

  it('aborts once when the client leaves before the answer, calling only the listeners still registered', async () => {
    const held = heldTus();
    const origin = await serve(held.tus);
    const req = httpRequest(`${origin}/files/x`, { method: 'PATCH', headers: { 'Content-Length': '10' } });
    req.on('error', () => {});
    req.write('abc');
    const signal = (await held.arrived).signal as ClientSignal;
    const calls: string[] = [];
    const removed = () => calls.push('removed');
    signal.addEventListener('abort', () => calls.push('kept'), { once: true });
    signal.addEventListener('abort', removed);
    signal.removeEventListener('abort', removed);
    expect(signal.aborted).toBe(false);

    req.destroy();
    await new Promise<void>((resolve) => signal.addEventListener('abort', resolve));
    expect(signal.aborted).toBe(true);
    signal.addEventListener('abort', () => calls.push('too late'));
    held.answer({ status: 204, headers: {} });
    expect(calls).toEqual(['kept']);
  });

  it('never aborts a request that was answered', async () => {
    const held = heldTus();
    const origin = await serve(held.tus);
    const req = httpRequest(`${origin}/files/x`, { method: 'HEAD' });
    req.end();
    const signal = (await held.arrived).signal as ClientSignal;
    held.answer({ status: 204, headers: {} });
    const [res] = (await once(req, 'response')) as [IncomingMessage];
    expect(res.statusCode).toBe(204);
    res.resume();
    await close?.();
    close = undefined;
    expect(signal.aborted).toBe(false);
  });
});
