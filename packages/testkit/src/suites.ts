import { describe, it } from 'vitest';

/** Whether a service a suite needs is there, and whether its absence must fail the run. */
export type ServiceAvailability =
  | { readonly available: true; readonly required: boolean }
  | { readonly available: false; readonly required: boolean; readonly reason: string };

/** How a missing service is reported. */
export interface ServiceNeed {
  /** e.g. `Docker` */
  service: string;
  /** The variable that makes the service required, e.g. `TUSKIT_REQUIRE_DOCKER`. */
  requireVariable: string;
  /** What to run to get it, e.g. `source .ci/prepare-backends.sh`. */
  setup: string;
}

/**
 * `describe` for suites that need a service: runs them when it is there;
 * otherwise one failing test when it is required (CI), or a skip with a
 * printed reason on a developer's machine.
 *
 * @example
 * describeWithService(await dockerAvailability(), DOCKER_NEED, 'S3 store', () => { ... });
 */
export function describeWithService(
  availability: ServiceAvailability,
  need: ServiceNeed,
  name: string,
  body: () => void,
): void {
  if (availability.available) {
    describe(name, body);
    return;
  }
  const { reason } = availability;
  if (availability.required) {
    describe(name, () => {
      it(`needs ${need.service}`, () => {
        throw new Error(`${need.service} is required here (${need.requireVariable} / CI) but: ${reason}; run \`${need.setup}\``);
      });
    });
    return;
  }
  console.warn(`[@tuskit/testkit] skipping "${name}": ${reason}. Set ${need.requireVariable}=1 to fail instead.`);
  describe.skip(name, body);
}
