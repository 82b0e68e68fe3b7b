import { describe } from 'vitest';
import { checksumCases } from './protocol/checksum.js';
import { concatenationCases } from './protocol/concat.js';
import { concurrencyCases } from './protocol/concurrency.js';
import { deferLengthCases } from './protocol/defer-length.js';
import { corsCases } from './protocol/cors.js';
import { downloadCases } from './protocol/download.js';
import { hookCases } from './protocol/hooks.js';
import type { ProtocolSuiteOptions } from './protocol/harness.js';
import { patchCases } from './protocol/patch.js';
import { pipeliningCases } from './protocol/pipelining.js';
import { lifecycleCases, requestCases, unofferedCases } from './protocol/requests.js';

export type { ProtocolSuiteOptions, ServeTus, ServedTus } from './protocol/harness.js';

/**
 * The protocol suite: every row of the spec over real HTTP. Each adapter (and
 * the plain `node:http` bridge) runs it by serving the engine it is given.
 *
 * @example
 * ```ts
 * describeTusProtocol({
 *   name: 'node:http',
 *   serve: async (tus) => listen(createServer(toNodeHandler(tus))),
 * });
 * ```
 */
export function describeTusProtocol(options: ProtocolSuiteOptions): void {
  describe(`TUS protocol over ${options.name}`, { timeout: 60_000 }, () => {
    describe('requests', () => requestCases(options));
    describe('lifecycle', () => lifecycleCases(options));
    describe('extensions not offered', () => unofferedCases(options));
    describe('checksum', () => checksumCases(options));
    describe('creation-defer-length', () => deferLengthCases(options));
    describe('concatenation', () => concatenationCases(options));
    describe('PATCH', () => patchCases(options));
    describe('concurrency and interruptions', () => concurrencyCases(options));
    describe('pipelining and trailing bytes', () => pipeliningCases(options));
    describe('CORS and proxies', () => corsCases(options));
    describe('hooks that steer', () => hookCases(options));
    describe('download', () => downloadCases(options));
  });
}
