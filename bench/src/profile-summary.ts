// `node bench/dist/profile-summary.js <file.cpuprofile> [top]`: where a server child spent its CPU.
import { readFile } from 'node:fs/promises';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** Self time of one function, or of one group of files. */
export interface Hotspot {
  name: string;
  ms: number;
  share: number;
}

/**
 * Self time per function and per origin (a package in node_modules, Node's
 * internals, tuskit's own dist, or the garbage collector and the idle loop).
 *
 * @example
 * ```ts
 * const { functions, origins } = hotspots(JSON.parse(await readFile(path, 'utf8')), 25);
 * ```
 */
export function hotspots(profile: CpuProfile, top: number): { functions: Hotspot[]; origins: Hotspot[]; totalMs: number } {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const selfMs = new Map<number, number>();
  profile.samples.forEach((id, i) => selfMs.set(id, (selfMs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000));
  const functions = new Map<string, number>();
  const origins = new Map<string, number>();
  let totalMs = 0;
  for (const [id, ms] of selfMs) {
    const frame = byId.get(id)!.callFrame;
    totalMs += ms;
    add(functions, `${frame.functionName || '(anonymous)'} ${shortUrl(frame.url)}:${frame.lineNumber + 1}`, ms);
    add(origins, originOf(frame), ms);
  }
  const ranked = (map: Map<string, number>) =>
    [...map]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([name, ms]) => ({ name, ms, share: ms / totalMs }));
  return { functions: ranked(functions), origins: ranked(origins), totalMs };
}

function add(map: Map<string, number>, key: string, ms: number): void {
  map.set(key, (map.get(key) ?? 0) + ms);
}

function originOf(frame: ProfileNode['callFrame']): string {
  if (!frame.url) return frame.functionName.startsWith('(') ? frame.functionName : '(native)';
  if (frame.url.startsWith('node:')) return 'node: internals';
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(frame.url)?.[1];
  if (pkg) return pkg;
  const workspace = /\/packages\/([^/]+)\//.exec(frame.url)?.[1];
  return workspace ? `@tuskit/${workspace}` : shortUrl(frame.url);
}

function shortUrl(url: string): string {
  return url.replace(/^file:\/\//, '').replace(/^.*node_modules\/\.pnpm\/[^/]+\/node_modules\//, '').replace(/^.*\/packages\//, 'packages/');
}

if (process.argv[2]) {
  const profile = JSON.parse(await readFile(process.argv[2], 'utf8')) as CpuProfile;
  const { functions, origins, totalMs } = hotspots(profile, Number(process.argv[3] ?? 30));
  const print = (title: string, rows: Hotspot[]) => {
    console.log(`\n${title}`);
    for (const row of rows) console.log(`${row.ms.toFixed(0).padStart(8)} ms ${(row.share * 100).toFixed(1).padStart(5)}%  ${row.name}`);
  };
  console.log(`${process.argv[2]}: ${totalMs.toFixed(0)} ms sampled`);
  print('self time by origin', origins);
  print('self time by function', functions);
}
