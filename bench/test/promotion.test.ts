import { describe, expect, it } from 'vitest';
import { measurePromotion, type Pattern } from '../src/promotion.js';

const perObject = async (pattern: Pattern) => {
  const { promoted, objects, scavenges } = await measurePromotion(pattern, 50_000);
  expect(scavenges).toBeGreaterThan(0);
  return promoted / objects;
};

describe('what V8 promotes out of its young generation', () => {
  it('says whether objects made the same way share a hidden class', async () => {
    expect((await measurePromotion('plain object', 1_000)).sharedShape).toBe(true);
    // The V8 of Node 20 and 22 gives every re-prototyped object its own hidden class at its first new field; Node 24's does not.
    const extended = await measurePromotion('setPrototypeOf, then a new property', 1_000);
    expect(extended.sharedShape).toBe(Number(process.versions.node.split('.')[0]) >= 24);
  });

  it('lets plain objects die young, re-prototyped or not', async () => {
    expect(await perObject('plain object')).toBeLessThan(4);
    expect(await perObject('setPrototypeOf')).toBeLessThan(4);
  });

  // Why the Node bridge passes its own ClientSignal and not an AbortSignal. Node 22 no longer promotes AbortSignals
  // (it still promotes the re-prototyped-then-extended objects), Node 24 neither.
  it.runIf(process.versions.node.startsWith('20.'))(
    'on Node 20, promotes objects re-prototyped then given a property, and every AbortSignal',
    async () => {
      expect(await perObject('setPrototypeOf, then a new property')).toBeGreaterThan(20);
      expect(await perObject('new AbortController().signal')).toBeGreaterThan(100);
    },
  );
});
