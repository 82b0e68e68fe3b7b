import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import type { TusLogger } from '@tuskit/core';
import { pino, type DestinationStream, type Level, type Logger as Pino } from 'pino';

/** One answered request, as logged and measured. */
export interface RequestLine {
  method: string;
  /** The path without the query (signed download links carry their signature there). */
  path: string;
  status: number;
  durationMs: number;
  /** False when the client went away before the whole answer was sent. */
  completed: boolean;
}

/**
 * Where the server reports what happens to it. `request` and `engine` are
 * optional: a logger without them logs no request lines and none of the
 * engine's events.
 *
 * @example
 * ```ts
 * const logger: Logger = { info: (m) => lines.push(m), error: (m, e) => errors.push(e ?? m) };
 * ```
 */
export interface Logger {
  info(message: string): void;
  error(message: string, error?: unknown): void;
  /** One line per answered request. */
  request?(line: RequestLine): void;
  /** Handed to the TUS engine's `logger` option (uploads created, completed, takeovers, …). */
  engine?: TusLogger;
}

/** Options of {@link jsonLogger}. */
export interface JsonLoggerOptions {
  /** `LOG_LEVEL`. Default `info`. */
  level?: Level;
  /** Default: standard output. */
  destination?: DestinationStream;
}

/**
 * The server's default {@link Logger}: pino's JSON lines, one per request at
 * `info`, the engine's events at their own levels.
 *
 * @example
 * ```ts
 * const server = await startServer({ logger: jsonLogger({ level: 'debug' }) });
 * ```
 */
export function jsonLogger(options: JsonLoggerOptions = {}): Logger {
  const log: Pino = options.destination
    ? pino({ level: options.level ?? 'info' }, options.destination)
    : pino({ level: options.level ?? 'info' });
  return {
    info: (message) => log.info(message),
    error: (message, error) => (error === undefined ? log.error(message) : log.error({ err: error }, message)),
    request: (line) => log.info(line, `${line.method} ${line.path} ${line.status}`),
    engine: log.child({ component: 'tus' }),
  };
}

/**
 * Calls `onAnswered` once per request, when its response is finished or its
 * connection closed, with what {@link RequestLine} holds.
 *
 * @example
 * ```ts
 * createServer(observeRequests(app, (line) => logger.request?.(line)));
 * ```
 */
export function observeRequests(listener: RequestListener, onAnswered: (line: RequestLine) => void): RequestListener {
  return (req: IncomingMessage, res: ServerResponse) => {
    const started = performance.now();
    // Read now: Express rewrites `req.url` below a mount point.
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    let told = false;
    // 'finish' as soon as the answer is out (the connection may stay open a while after an early PATCH answer);
    // 'close' alone when the client went away first.
    const tell = () => {
      if (told) return;
      told = true;
      const durationMs = Math.round((performance.now() - started) * 1000) / 1000;
      onAnswered({ method: req.method ?? 'GET', path, status: res.statusCode, durationMs, completed: res.writableFinished });
    };
    res.once('finish', tell);
    res.once('close', tell);
    listener(req, res);
  };
}
