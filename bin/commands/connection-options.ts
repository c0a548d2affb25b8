import type { Command } from 'commander';
import { BucketflowError } from '../../lambdas/core/errors.js';
import type { Client } from '../../lambdas/sdk/client.js';
import { type Connection, DATA_DIR_ENV, resolveConnection } from '../../lambdas/sdk/connection.js';
import { action } from './cli-io.js';

/** Exit code of a command that failed for a reason other than its arguments (network, AWS). */
export const EXIT_FAILURE = 1;

/** The options every command that talks to a bucketflow takes. */
export interface ConnectionOptions {
  dataDir?: string;
  stack?: string;
  region?: string;
  profile?: string;
}

/** Environment variable naming the deployed stack when `--stack` is not given. */
export const STACK_ENV = 'BUCKETFLOW_STACK';

/** Error codes of Node and the AWS SDK that mean the endpoint could not be reached. */
const UNREACHABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'TimeoutError',
]);

/**
 * Adds the connection options to a command: `--stack NAME` (with
 * `--region` and `--profile`) for a deployed stack, or `--data-dir DIR` for
 * a running `bucketflow dev`. Without them the connection comes from
 * `BUCKETFLOW_STACK`, `BUCKETFLOW_DATA_DIR`, the `BUCKETFLOW_*_TABLE`
 * variables, then `./.bucketflow/local.json` (see `resolveConnection`).
 *
 * @example
 * ```ts
 * withConnectionOption(program.command('list')).action(connectedAction(async (options) => {}));
 * ```
 */
export function withConnectionOption(command: Command): Command {
  return command
    .option(
      '--stack <name>',
      `deployed stack holding the BucketflowService; names come from its outputs (default: $${STACK_ENV})`,
    )
    .option('--region <region>', "the stack's region (default: AWS_REGION, then the profile's)")
    .option(
      '--profile <profile>',
      'AWS config profile for credentials and region (default: AWS_PROFILE)',
    )
    .option(
      '--data-dir <dir>',
      `data directory of a running 'bucketflow dev' (default: $${DATA_DIR_ENV}, then the deployed\n` +
        'stack named by BUCKETFLOW_*_TABLE variables, then ./.bucketflow)',
    );
}

/**
 * The connection the options name: a deployed stack (read from its outputs),
 * or what `resolveConnection` finds. Throws `NoConnectionError` when none is found.
 *
 * @example
 * ```ts
 * const connection = await connectionOf({ stack: 'LabPipeline', profile: 'lab' });
 * ```
 */
export async function connectionOf(options: ConnectionOptions): Promise<Connection> {
  const stack = options.stack ?? process.env[STACK_ENV];
  if (stack) {
    const { resolveStackConnection } = await import('../../lambdas/sdk/stack-connection.js');
    return (
      await resolveStackConnection({ stack, region: options.region, profile: options.profile })
    ).connection;
  }
  return resolveConnection({ dataDir: options.dataDir });
}

/**
 * The connection the options name and a client on it. A missing or stale
 * connection throws `NoConnectionError`, which {@link connectedAction} turns
 * into exit code 2.
 *
 * @example
 * ```ts
 * const { client } = await connect({ dataDir: '.bucketflow' });
 * ```
 */
export async function connect(
  options: ConnectionOptions,
): Promise<{ client: Client; connection: Connection }> {
  // The SDK warns about Node versions its future releases drop; the pinned release runs fine on
  // Node 20, and the warning would otherwise end up in every command's stderr.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const connection = await connectionOf(options);
  // Loaded here, not at the top: the AWS SDK takes about a second to load, which the
  // dry-run commands (match, cron, batch) and --help should not pay.
  const { Client } = await import('../../lambdas/sdk/client.js');
  return { client: Client.fromConnection(connection), connection };
}

/**
 * Like `action()`: bad input (a `BucketflowError`, such as an unknown
 * cluster or no connection) exits 2 with its message; in addition a request
 * that fails (endpoint unreachable, AWS error) exits 1 with a one-line message
 * instead of a stack.
 *
 * @example
 * ```ts
 * command.action(connectedAction(async (options: ConnectionOptions) => { await connect(options); }));
 * ```
 */
export function connectedAction<A extends unknown[]>(
  fn: (...args: A) => Promise<void> | void,
): (...args: A) => Promise<void> {
  return action(async (...args: A) => {
    try {
      await fn(...args);
    } catch (error) {
      const message = requestFailure(error);
      if (message === undefined) throw error;
      process.stderr.write(`bucketflow: ${message}\n`);
      process.exit(EXIT_FAILURE);
    }
  });
}

/** A one-line description of a failed request, or undefined for bad input and bugs. */
function requestFailure(error: unknown): string | undefined {
  if (!(error instanceof Error) || error instanceof BucketflowError) return undefined;
  const code = (error as NodeJS.ErrnoException).code ?? error.name;
  if (UNREACHABLE_CODES.has(code)) {
    return (
      `cannot reach the bucketflow endpoints (${error.message}); is 'bucketflow dev' still running? ` +
      '(restart it with npm start, or check --data-dir and the AWS region and credentials)'
    );
  }
  if (error.name === 'CredentialsProviderError') {
    return `no AWS credentials (${error.message}): pass --profile, set AWS_PROFILE, or configure credentials for the SDK`;
  }
  if ('$metadata' in error) {
    const hint =
      error.name === 'ResourceNotFoundException' || error.name === 'QueueDoesNotExist'
        ? ' (the tables or queues of this connection do not exist: check --data-dir or the BUCKETFLOW_*_TABLE variables)'
        : '';
    return `request failed: ${error.name}: ${error.message}${hint}`;
  }
  return undefined;
}
