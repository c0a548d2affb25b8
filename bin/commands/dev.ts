import { resolve } from 'node:path';
import type { Command } from 'commander';
import { DEFAULT_DATA_DIR } from '../../lambdas/sdk/connection.js';
import { onStopSignals } from '../../lambdas/sdk/runner-signals.js';
import { type DevStack, startDev } from '../dev/dev-server.js';
import { action, parseIntegerOption } from './cli-io.js';

/** The config file `bucketflow dev` loads from the working directory when `--config` is absent. */
export const DEFAULT_CONFIG_FILE = 'bucketflow.config.ts';

interface DevCommandOptions {
  dataDir: string;
  config?: string;
  runner: boolean;
  portDynamodb?: number;
  portSqs?: number;
  portS3?: number;
  portConsole?: number;
}

/**
 * Registers `bucketflow dev` (what `npm start` runs): the whole service on
 * this machine until Ctrl-C or SIGTERM, which stop it cleanly (exit 0); a
 * second signal exits at once. A missing Java or a bad config exits 2.
 *
 * @example
 * ```ts
 * registerDevCommand(new Command('bucketflow'));
 * ```
 */
export function registerDevCommand(program: Command): void {
  const port = (name: string) => parseIntegerOption(name, 1);
  program
    .command('dev')
    .description(
      'run bucketflow locally: DynamoDB Local, SQS and S3 servers, the config’s automations, ' +
        'watched folders, timers, an in-process runner and a live log (Ctrl-C stops, keeping state)',
    )
    .option('--data-dir <dir>', 'where all state is kept', DEFAULT_DATA_DIR)
    .option('--config <file>', `config module (default: ./${DEFAULT_CONFIG_FILE} when present)`)
    .option('--no-runner', 'run no in-process runner (use `bucketflow runner` processes)')
    .option(
      '--port-dynamodb <port>',
      'DynamoDB Local port (default: a free port)',
      port('--port-dynamodb'),
    )
    .option('--port-sqs <port>', 'SQS server port (default: a free port)', port('--port-sqs'))
    .option('--port-s3 <port>', 'S3 server port (default: a free port)', port('--port-s3'))
    .option(
      '--port-console <port>',
      'web console port (default: a free port)',
      port('--port-console'),
    )
    .action(
      action(async (options: DevCommandOptions) => {
        const startedAt = Date.now();
        process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
        const cwd = process.cwd();
        const signals = watchSignals();
        const stack = await startDev({
          dataDir: resolve(cwd, options.dataDir),
          configPath: resolve(cwd, options.config ?? DEFAULT_CONFIG_FILE),
          configExplicit: options.config !== undefined,
          runner: options.runner,
          ports: {
            dynamodb: options.portDynamodb,
            sqs: options.portSqs,
            s3: options.portS3,
            console: options.portConsole,
          },
          cwd,
          startedAt,
        });
        await signals.stopOnSignal(stack);
        // Idle keep-alive sockets and the servers' timers would otherwise hold the process open.
        process.exit(0);
      }),
    );
}

/**
 * Catches SIGINT and SIGTERM from the start, so a signal during start-up
 * also stops cleanly once the stack is up; a second signal exits at once.
 */
function watchSignals(): { stopOnSignal(stack: DevStack): Promise<void> } {
  let received = false;
  let wake: (() => void) | undefined;
  onStopSignals(
    () => {
      received = true;
      wake?.();
    },
    {
      onForcedExit: (signal) =>
        process.stderr.write(`bucketflow dev: ${signal} again, exiting at once\n`),
    },
  );
  return {
    async stopOnSignal(stack) {
      if (!received) await new Promise<void>((resolveWait) => (wake = resolveWait));
      await stack.stop();
    },
  };
}
