// Lines a server logs (in-process) or prints (a child process), awaitable by pattern.

export class LineLog {
  readonly lines: string[] = [];
  readonly #waiting = new Set<() => void>();
  #ended = false;

  push(line: string): void {
    this.lines.push(line);
    this.#wake();
  }

  /** No more lines will come: pending waits fail. */
  end(): void {
    this.#ended = true;
    this.#wake();
  }

  /** Resolves with the first line (logged before or after the call) matching `pattern`. */
  waitFor(pattern: RegExp): Promise<RegExpExecArray> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const match = this.lines.map((line) => pattern.exec(line)).find((m) => m !== null);
        if (match) resolve(match);
        else if (this.#ended) reject(new Error(`no line matched ${pattern}:\n${this.lines.join('\n')}`));
        else return;
        this.#waiting.delete(check);
      };
      this.#waiting.add(check);
      check();
    });
  }

  /** Resolves with the first `count` lines matching `pattern`, once that many have been logged. */
  waitForCount(pattern: RegExp, count: number): Promise<string[]> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const matching = this.lines.filter((line) => pattern.test(line));
        if (matching.length >= count) resolve(matching.slice(0, count));
        else if (this.#ended) reject(new Error(`fewer than ${count} lines matched ${pattern}:\n${this.lines.join('\n')}`));
        else return;
        this.#waiting.delete(check);
      };
      this.#waiting.add(check);
      check();
    });
  }

  #wake(): void {
    for (const check of [...this.#waiting]) check();
  }
}
