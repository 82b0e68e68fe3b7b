import { setTimeout as delay } from 'node:timers/promises';
import type { WaitStrategy } from 'testcontainers';

/** The dockerode container handed to wait strategies (dockerode's types are not a direct dependency). */
type DockerContainer = Parameters<WaitStrategy['waitUntilReady']>[0];

const DEFAULT_STARTUP_TIMEOUT_MS = 60_000;
const POLL_INTERVAL_MS = 200;
const REQUEST_TIMEOUT_MS = 2_000;
const LOG_TAIL_LINES = 40;

/**
 * Waits until `GET url` answers 2xx, failing early (with the container's log
 * tail) when the container exits. Unlike testcontainers' own HTTP strategy it
 * takes a full URL, so it works with `--network host`, where there are no
 * mapped ports to build the URL from.
 *
 * @example
 * new GenericContainer(image)
 *   .withNetworkMode('host')
 *   .withWaitStrategy(new HttpPollWaitStrategy('http://127.0.0.1:9000/minio/health/live'));
 */
export class HttpPollWaitStrategy implements WaitStrategy {
  private readonly url: string;
  private startupTimeoutMs = DEFAULT_STARTUP_TIMEOUT_MS;
  private startupTimeoutSet = false;

  constructor(url: string) {
    this.url = url;
  }

  withStartupTimeout(startupTimeoutMs: number): this {
    this.startupTimeoutMs = startupTimeoutMs;
    this.startupTimeoutSet = true;
    return this;
  }

  isStartupTimeoutSet(): boolean {
    return this.startupTimeoutSet;
  }

  getStartupTimeout(): number {
    return this.startupTimeoutMs;
  }

  async waitUntilReady(container: DockerContainer): Promise<void> {
    const deadline = Date.now() + this.startupTimeoutMs;
    while (!(await isHealthy(this.url))) {
      await assertStillRunning(container);
      if (Date.now() >= deadline) {
        throw new Error(`${this.url} did not answer 2xx within ${this.startupTimeoutMs} ms${await logTail(container)}`);
      }
      await delay(POLL_INTERVAL_MS);
    }
  }
}

async function isHealthy(url: string): Promise<boolean> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
    await response.body?.cancel();
    return response.ok;
  } catch {
    return false;
  }
}

async function assertStillRunning(container: DockerContainer): Promise<void> {
  const { State } = await container.inspect();
  if (!State.Running) {
    throw new Error(`container exited (code ${State.ExitCode}) before becoming healthy${await logTail(container)}`);
  }
}

async function logTail(container: DockerContainer): Promise<string> {
  try {
    const raw = await container.logs({ stdout: true, stderr: true, follow: false, tail: LOG_TAIL_LINES });
    const text = demultiplex(Buffer.from(raw)).trim();
    return text === '' ? '' : `; last log lines:\n${text}`;
  } catch {
    return '';
  }
}

/**
 * Strips Docker's 8-byte stream headers from non-TTY log output
 * (byte 0 = stream, bytes 4..7 = big-endian frame length).
 */
function demultiplex(raw: Buffer): string {
  const chunks: Buffer[] = [];
  let offset = 0;
  while (offset + 8 <= raw.length) {
    const length = raw.readUInt32BE(offset + 4);
    chunks.push(raw.subarray(offset + 8, offset + 8 + length));
    offset += 8 + length;
  }
  return Buffer.concat(chunks).toString('utf8');
}
