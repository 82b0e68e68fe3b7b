import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requestGroup, uploadSize, type RequestAction } from './support/arbitraries.js';
import { checkExchange, newTally } from './support/check-exchange.js';
import { invariant, invariantsChecked } from './support/check-response.js';
import { checkStore, type StoreTally } from './support/check-store.js';
import { assertWithSeed, fuzzConfig, timeLimitMs } from './support/fuzz-config.js';
import { FuzzModel } from './support/model.js';
import { render } from './support/render.js';
import { send } from './support/send.js';
import { BASE_PATH, ServerProcess } from './support/server-process.js';

/** Default sized for ≥ 10,000 requests in well under a minute on 2 cores. */
const config = fuzzConfig(7000);
const STORE_CHECK_EVERY = 250;

type Step = { kind: 'create'; size: number } | { kind: 'requests'; actions: RequestAction[] };

const step: fc.Arbitrary<Step> = fc.oneof(
  { weight: 40, arbitrary: requestGroup.map((actions): Step => ({ kind: 'requests', actions })) },
  { weight: 1, arbitrary: uploadSize.map((size): Step => ({ kind: 'create', size })) },
);

describe('hostile HTTP against the core (fs store, raw sockets)', () => {
  let server: ServerProcess;
  const model = new FuzzModel();
  const tally = newTally();
  const totals: StoreTally = { checks: 0, uploadsVerified: 0, bytesVerified: 0, bytesLost: 0 };
  let created = 0;

  const createUpload = async (size: number) => {
    const id = `fz${config.seed.toString(36)}-${created++}`;
    await server.createUpload(id, size);
    model.add(id, size);
  };

  const runStep = async (current: Step, index: number) => {
    invariant(server.alive && server.crashes.length === 0, 'the server crashed', server.crashes);
    if (current.kind === 'create') return createUpload(current.size);
    const exchanges = current.actions.map((action) => render(action, model));
    const outcomes = await Promise.all(
      exchanges.map((exchange, i) => {
        // only after a valid request are the next bytes on the connection a clean request
        const wanted = current.actions[i]?.followUp && exchange.valid;
        const followUp = wanted ? `${BASE_PATH}/${exchange.upload?.id ?? 'no-such-upload'}` : undefined;
        return send(server.port, exchange, current.actions[i]?.splits ?? [], followUp);
      }),
    );
    exchanges.forEach((exchange, i) => checkExchange(exchange, outcomes[i]!, model, tally, exchanges.length > 1));
    if (index % STORE_CHECK_EVERY === STORE_CHECK_EVERY - 1) await checkStore(server, model, tally, totals, false);
  };

  beforeAll(async () => {
    server = await ServerProcess.start();
    for (const size of [64, 100, 4100, 5000, 20_000, 65_536, 200_000, 1_000]) await createUpload(size);
  });

  afterAll(async () => {
    expect(await server.stop()).toBe(0);
  });

  it(`keeps every invariant over ${config.runs} fuzzed request groups (seed ${config.seed})`, { timeout: timeLimitMs(config) + 30_000 }, async () => {
    const started = Date.now();
    let index = 0;
    await assertWithSeed(fc.asyncProperty(step, (current) => runStep(current, index++)), config);
    await checkStore(server, model, tally, totals, true);
    const seconds = (Date.now() - started) / 1000;
    console.log(
      `fuzz seed=${config.seed} runs=${config.runs}: ${tally.requests} requests in ${seconds.toFixed(1)} s ` +
        `(${tally.coreAnswers} core answers, ${tally.parserRejections} parser rejections, ${tally.unanswered} unanswered, ` +
        `${tally.resetAnswers} of them valid requests whose answer was lost to a reset); ` +
        `${invariantsChecked.count} invariant checks (${totals.checks} store checks over ` +
        `${totals.uploadsVerified} uploads / ${totals.bytesVerified} bytes); bytes lost = ${totals.bytesLost}; ` +
        `statuses ${JSON.stringify(tally.statuses)}`,
    );
    expect(totals.bytesLost).toBe(0);
    expect(tally.requests).toBeGreaterThanOrEqual(config.runs);
    expect(tally.coreAnswers).toBeGreaterThan(tally.requests / 2);
  });
});
