import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);

/**
 * Ways of making an object, as JavaScript source that evaluates to one. The
 * probe keeps each only until the next is made, so none should outlive
 * V8's young generation.
 */
export const PATTERNS = {
  'plain object': 'new Plain()',
  'setPrototypeOf': 'Object.setPrototypeOf(new Plain(), PROTO)',
  'setPrototypeOf, then a new property': '((o) => ((o.extra = 1), o))(Object.setPrototypeOf(new Plain(), PROTO))',
  'new AbortController().signal': 'new AbortController().signal',
} as const;

export type Pattern = keyof typeof PATTERNS;

/** What V8 did with a pattern's objects. */
export interface Promotion {
  pattern: Pattern;
  objects: number;
  scavenges: number;
  /** Bytes the scavenges moved to the old generation. */
  promoted: number;
  /** Whether two objects made this way share a hidden class (V8's map). */
  sharedShape: boolean;
}

/**
 * The child: makes `objects` objects one at a time, with garbage between them
 * and a turn of the event loop now and then, like requests; then says whether
 * two of them share a hidden class.
 */
function childSource(make: string, objects: number): string {
  return `
    class Plain { constructor() { this.a = 1; this.b = { c: 2 }; } }
    const PROTO = Object.create(Plain.prototype);
    let kept, garbage;
    for (let i = 0; i < ${objects}; i++) {
      kept = ${make};
      for (let j = 0; j < 20; j++) garbage = { j, pad: new Array(8) };
      if (i % 100 === 0) await new Promise((resolve) => setImmediate(resolve));
    }
    const first = ${make}, second = ${make};
    console.log('shared-shape=' + %HaveSameMap(first, second));`;
}

/**
 * Runs one pattern in a fresh `node --trace-gc-nvp` and sums what its
 * scavenges promoted.
 *
 * @example
 * ```ts
 * const { promoted, objects } = await measurePromotion('new AbortController().signal');
 * console.log(`${promoted / objects} bytes promoted per signal`);
 * ```
 */
export async function measurePromotion(pattern: Pattern, objects = 200_000): Promise<Promotion> {
  const source = childSource(PATTERNS[pattern], objects);
  const flags = ['--trace-gc-nvp', '--allow-natives-syntax', '--input-type=module'];
  const { stdout } = await run(process.execPath, [...flags, '-e', source], { maxBuffer: 64 * 1024 * 1024 });
  const scavenges = stdout.split('\n').filter((line) => line.includes(' gc=s '));
  const promoted = scavenges.reduce((sum, line) => sum + Number(/ promoted=(\d+)/.exec(line)?.[1] ?? 0), 0);
  return { pattern, objects, scavenges: scavenges.length, promoted, sharedShape: stdout.includes('shared-shape=true') };
}

async function main(): Promise<void> {
  console.log('| object made | scavenges | bytes promoted per object | two share a hidden class |');
  console.log('| --- | --- | --- | --- |');
  for (const pattern of Object.keys(PATTERNS) as Pattern[]) {
    const { scavenges, promoted, objects, sharedShape } = await measurePromotion(pattern);
    console.log(`| ${pattern} | ${scavenges} | ${(promoted / objects).toFixed(1)} | ${sharedShape ? 'yes' : 'no'} |`);
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) await main();
