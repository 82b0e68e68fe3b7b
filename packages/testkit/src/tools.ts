import { spawnSync } from 'node:child_process';
import { accessSync, appendFileSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { describe, it } from 'vitest';

/** A program some suites need that Node and npm do not provide, and how a developer gets it. */
export interface Tool {
  /** e.g. `Docker` */
  readonly name: string;
  /** What installs it, e.g. `apt-get install -y redis-server`. */
  readonly install: string;
}

/**
 * Every tool a suite of this repository needs beyond Node and npm. A suite that needs one runs through
 * {@link describeWithTool}, so a missing tool is reported the same way everywhere.
 *
 * @example
 * describeWithTool(TOOLS.redis, redisAvailability(), 'RedisLocker', () => { ... });
 */
export const TOOLS = {
  docker: { name: 'Docker', install: 'source .ci/prepare-backends.sh (installs docker.io, builds the MinIO and fake-gcs-server images)' },
  redis: { name: 'redis-server', install: 'apt-get install -y redis-server' },
  chromium: { name: 'Chromium', install: 'apt-get install -y chromium' },
  tuspy: { name: 'tuspy', install: 'python3 -m pip install -r examples/server/requirements-e2e.txt (npm test does this in a virtualenv when python3 has venv)' },
  curl: { name: 'curl', install: 'apt-get install -y curl' },
  ss: { name: 'ss (iproute2)', install: 'apt-get install -y iproute2' },
  tmpfs: { name: 'a tmpfs mount (root)', install: 'run the tests as root: `mount -t tmpfs` makes a small disk to fill' },
  netns: { name: 'ip netns and veth (iproute2, as root)', install: 'apt-get install -y iproute2, and run the tests as root' },
  postgres: { name: 'PostgreSQL', install: 'apt-get install -y postgresql (its initdb and postgres binaries; no system cluster is used)' },
  tusJava: {
    name: 'tus-java-client (Java 17 and Maven)',
    install: 'source .ci/prepare-clients.sh (fetches io.tus.java.client:tus-java-client from Maven Central into ~/.m2)',
  },
} as const satisfies Record<string, Tool>;

/** Whether a tool is there; when it is not, why. */
export type ToolAvailability = { readonly available: true } | { readonly available: false; readonly reason: string };

/** Where a skipped suite is recorded, one JSON line each, for `npm test`'s closing summary. */
export const SKIP_LOG_VARIABLE = 'TUSKIT_SKIP_LOG';

type Env = Readonly<Record<string, string | undefined>>;

/**
 * Whether a missing tool must fail the suites that need it instead of skipping them: `TUSKIT_REQUIRE_TOOLS`
 * decides when set (`1`/`true`/`yes` or anything else), otherwise `CI`. This is the one rule for every tool.
 *
 * @example
 * isToolRequired({ CI: 'true' }); // true
 * isToolRequired({ CI: 'true', TUSKIT_REQUIRE_TOOLS: '0' }); // false
 */
export function isToolRequired(env: Env = process.env): boolean {
  return parseFlag(env.TUSKIT_REQUIRE_TOOLS) ?? parseFlag(env.CI) ?? false;
}

/**
 * Runs `command args` and reports the tool available when it exits 0.
 *
 * @example
 * commandAvailability('redis-server', ['--version']);
 */
export function commandAvailability(command: string, args: readonly string[]): ToolAvailability {
  const probe = spawnSync(command, args, { encoding: 'utf8', stdio: ['ignore', 'ignore', 'pipe'] });
  if (probe.error === undefined && probe.status === 0) return { available: true };
  const why = probe.error !== undefined ? (probe.error as NodeJS.ErrnoException).code ?? probe.error.message : `exit code ${probe.status}`;
  return { available: false, reason: `\`${[command, ...args].join(' ')}\` failed (${why})` };
}

/**
 * Whether this process can make network namespaces joined by veth links: root, and `ip` from iproute2.
 *
 * @example
 * describeWithTool(TOOLS.netns, netnsAvailability(), 'instances on their own hosts', () => { ... });
 */
export function netnsAvailability(): ToolAvailability {
  if (process.getuid?.() !== 0) return { available: false, reason: 'not running as root' };
  return commandAvailability('ip', ['netns', 'list']);
}

/**
 * The first executable called `name` on PATH, or undefined.
 *
 * @example
 * const chromium = findOnPath('chromium'); // '/usr/bin/chromium' on Debian with chromium installed
 */
export function findOnPath(name: string, path: string = process.env.PATH ?? ''): string | undefined {
  for (const dir of path.split(delimiter).filter(Boolean)) {
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not in this directory
    }
  }
  return undefined;
}

/**
 * `describe` for suites that need a tool: a plain `describe` when it is there. When it is missing, one
 * failing test if tools are required ({@link isToolRequired}: CI), otherwise the suite is skipped with one
 * line naming the tool and its install command, and recorded for the run's summary.
 *
 * @example
 * describeWithTool(TOOLS.curl, commandAvailability('curl', ['--version']), 'curl uploads', () => { ... });
 */
export function describeWithTool(tool: Tool, availability: ToolAvailability, name: string, body: () => void): void {
  if (availability.available) {
    describe(name, body);
    return;
  }
  const { reason } = availability;
  if (isToolRequired()) {
    describe(name, () => {
      it(`needs ${tool.name}`, () => {
        throw new Error(`${tool.name} is required here (CI / TUSKIT_REQUIRE_TOOLS) but ${reason}; install: ${tool.install}`);
      });
    });
    return;
  }
  console.warn(`[skip] "${name}" needs ${tool.name} (${reason}); install: ${tool.install}`);
  recordSkip({ tool: tool.name, install: tool.install, reason, suite: name });
  describe.skip(name, body);
}

function recordSkip(entry: Record<string, string>): void {
  const log = process.env[SKIP_LOG_VARIABLE];
  if (log) appendFileSync(log, `${JSON.stringify(entry)}\n`);
}

function parseFlag(value: string | undefined): boolean | undefined {
  const normalized = value?.trim().toLowerCase();
  if (normalized === undefined || normalized === '') return undefined;
  return normalized === '1' || normalized === 'true' || normalized === 'yes';
}
