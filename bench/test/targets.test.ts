import { afterEach, describe, expect, it } from 'vitest';
import { NODE_FLAGS_ENV, TARGETS } from '../src/targets.js';

const storage = { backend: 'fs', directory: '/tmp/unused' } as const;

describe('Node server targets', () => {
  afterEach(() => {
    delete process.env[NODE_FLAGS_ENV];
  });

  it('start every Node child with the flags of --node-flags, before the entry script', async () => {
    process.env[NODE_FLAGS_ENV] = '--max-semi-space-size=2 --stack-size=2000';
    for (const id of ['raw', 'raw-lean-express', 'tuskit-node', 'tuskit-express', 'tus-server']) {
      const spec = await TARGETS.find((t) => t.id === id)!.launch(storage);
      expect(spec.args.slice(0, 2)).toEqual(['--max-semi-space-size=2', '--stack-size=2000']);
      expect(spec.args.at(-1)).toMatch(/server\.js$/);
    }
  });

  it('start them bare without', async () => {
    const spec = await TARGETS.find((t) => t.id === 'raw')!.launch(storage);
    expect(spec.args).toHaveLength(1);
  });
});

describe('the diagnostics rows', () => {
  it('run tuskit-node with every channel listened to, or with the publisher gone', async () => {
    const configOf = async (id: string) => JSON.parse((await TARGETS.find((t) => t.id === id)!.launch(storage)).env!.BENCH_SERVER_CONFIG!);
    expect(await configOf('tuskit-diag-subscribed')).toMatchObject({ kind: 'tuskit', framework: 'node', diagnostics: 'subscribed' });
    expect(await configOf('tuskit-diag-absent')).toMatchObject({ kind: 'tuskit', framework: 'node', diagnostics: 'absent' });
    expect((await configOf('tuskit-node')).diagnostics).toBeUndefined();
    expect(TARGETS.filter((t) => t.optIn).map((t) => t.id)).toEqual(['tuskit-diag-subscribed', 'tuskit-diag-absent']);
  });
});

describe('the memory floors', () => {
  it('run the same lean raw server bare and mounted in Express', async () => {
    const configOf = async (id: string) => JSON.parse((await TARGETS.find((t) => t.id === id)!.launch(storage)).env!.BENCH_SERVER_CONFIG!);
    expect(await configOf('raw-lean')).toMatchObject({ kind: 'raw', freeChunks: true });
    expect((await configOf('raw-lean')).behindExpress).toBeUndefined();
    expect(await configOf('raw-lean-express')).toMatchObject({ kind: 'raw', freeChunks: true, behindExpress: true });
  });
});
