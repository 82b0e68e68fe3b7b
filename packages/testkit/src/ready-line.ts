import type { ChildProcess } from 'node:child_process';

/** What {@link untilOutput} waits for. */
export interface ReadyLineOptions {
  /** The program, for error messages. */
  name: string;
  /** Text the program prints (stdout or stderr) once it serves. */
  line: string;
  timeoutMs: number;
}

const OUTPUT_TAIL_CHARS = 4_000;

/**
 * Resolves once `child` prints `line`; rejects with the tail of its output
 * when it exits or hangs first. Its output keeps being drained afterwards,
 * so a chatty server never blocks on a full pipe.
 *
 * @example
 * await untilOutput(child, { name: 'redis-server', line: 'Ready to accept connections', timeoutMs: 15_000 });
 */
export function untilOutput(child: ChildProcess, { name, line, timeoutMs }: ReadyLineOptions): Promise<void> {
  return new Promise((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => fail(`did not get ready within ${timeoutMs} ms`), timeoutMs);
    const onData = (data: Buffer) => {
      output = (output + data.toString('utf8')).slice(-OUTPUT_TAIL_CHARS);
      if (!output.includes(line)) return;
      cleanup();
      resolve();
    };
    const onExit = (code: number | null) => fail(`exited with code ${code} before getting ready`);
    const onError = (error: Error) => fail(error.message);
    function fail(why: string) {
      cleanup();
      reject(new Error(`${name} ${why}${output === '' ? '' : `; output:\n${output}`}`));
    }
    function cleanup() {
      clearTimeout(timer);
      child.stdout?.off('data', onData);
      child.stderr?.off('data', onData);
      child.off('exit', onExit);
      child.off('error', onError);
      child.stdout?.resume();
      child.stderr?.resume();
    }
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', onExit);
    child.once('error', onError);
  });
}
