// The CLI entry (`npm start`): reads the variables, serves, and shuts down gracefully on SIGTERM/SIGINT.
import { ConfigError, optionsFromEnv, resolveOptions, type Logger } from './config.js';
import { startServer, type RunningServer } from './server.js';
import { storeKindFromEnv } from './store.js';

async function main(): Promise<void> {
  const options = optionsFromEnv(process.env);
  const { logger } = resolveOptions(options);
  const server = await startServer({ ...options, logger });
  const key = options.apiKey ? 'from API_KEY' : `${server.apiKey} (generated; set API_KEY to choose one)`;
  logger.info(
    `tuskit reference API ready at ${server.url} (framework ${server.framework}, store ${storeKindFromEnv(process.env)}); API key: ${key}`,
  );
  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    // A terminal's Ctrl+C reaches both `npm start` (which forwards it) and the server: act once.
    if (stopping) return;
    stopping = true;
    shutDown(server, signal, logger).catch((error: unknown) => {
      logger.error('shutdown failed', error);
      process.exit(1);
    });
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

async function shutDown(server: RunningServer, signal: NodeJS.Signals, logger: Logger): Promise<void> {
  logger.info(`${signal}: no new connections; letting in-flight uploads persist what they received`);
  await server.close();
  logger.info('stopped');
  process.exit(0);
}

main().catch((error: unknown) => {
  console.error(error instanceof ConfigError ? `configuration error: ${error.message}` : error);
  process.exit(1);
});
