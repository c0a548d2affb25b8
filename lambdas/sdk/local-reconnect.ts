import {
  type AwsClients,
  type AwsEndpoints,
  createAwsClients,
} from '../adapters/aws/aws-clients.js';
import { type Connection, readLocalConnection } from './connection.js';

/** Error codes that mean `bucketflow dev` is not there (stopped, restarting). */
const UNREACHABLE = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ECONNABORTED',
  'EHOSTUNREACH',
]);
const FIRST_BACKOFF_MS = 250;
const MAX_BACKOFF_MS = 5_000;
/** Longest one request waits for `bucketflow dev` to come back before its error is thrown. */
export const DEFAULT_RECONNECT_WAIT_MS = 120_000;

/** Options of {@link reconnectingLocalClients}. */
export interface ReconnectOptions {
  /** Where the two notices of an outage go. @default a line on stderr */
  readonly notify?: ((message: string) => void) | undefined;
  /** @default 120 000 */
  readonly maxWaitMs?: number | undefined;
}

type Service = 'dynamodb' | 'sqs' | 's3';

/** The part of a finalize step's arguments this changes: where the request goes. */
interface FinalizeArgs {
  readonly request: unknown;
}
type Next = (args: FinalizeArgs) => Promise<unknown>;

/** The one method of an SDK client's middleware stack used here. */
interface RelativeStack {
  addRelativeTo(
    middleware: (next: Next) => (args: FinalizeArgs) => Promise<unknown>,
    options: Record<string, unknown>,
  ): void;
}

/**
 * Clients on a running `bucketflow dev` that outlive its restarts: a request
 * that cannot reach it (connection refused or reset) is retried with
 * backoff (250 ms doubling to 5 s, up to `maxWaitMs`), reading
 * `<dataDir>/local.json` again before each try, so new ports are followed.
 * One notice when the connection is lost and one when it is back, however
 * many requests wait meanwhile.
 *
 * @example
 * ```ts
 * const clients = reconnectingLocalClients(resolveConnection({ dataDir: '.bucketflow' }));
 * ```
 */
export function reconnectingLocalClients(
  connection: Connection,
  options: ReconnectOptions = {},
): AwsClients {
  const follower = new LocalEndpointFollower(connection, options);
  const clients = createAwsClients(connection.endpoints, { local: true });
  const stacks: Array<[Service, unknown]> = [
    ['dynamodb', clients.dynamodb.middlewareStack],
    ['sqs', clients.sqs.middlewareStack],
    ['s3', clients.s3.middlewareStack],
  ];
  for (const [service, stack] of stacks) {
    // Before the SDK's retries: those run first, then this waits for bucketflow dev.
    (stack as RelativeStack).addRelativeTo((next) => (args) => follower.send(service, args, next), {
      step: 'finalizeRequest',
      relation: 'before',
      toMiddleware: 'retryMiddleware',
      name: 'bucketflowLocalReconnect',
      override: true,
    });
  }
  return clients;
}

/** The endpoints of one data directory's `bucketflow dev`, as its latest local.json says. */
class LocalEndpointFollower {
  readonly #dataDir: string | undefined;
  readonly #notify: (message: string) => void;
  readonly #maxWaitMs: number;
  #endpoints: AwsEndpoints;
  #down = false;

  constructor(connection: Connection, options: ReconnectOptions) {
    this.#dataDir = connection.dataDir;
    this.#endpoints = connection.endpoints;
    this.#notify =
      options.notify ?? ((message) => void process.stderr.write(`bucketflow: ${message}\n`));
    this.#maxWaitMs = options.maxWaitMs ?? DEFAULT_RECONNECT_WAIT_MS;
  }

  async send(service: Service, args: FinalizeArgs, next: Next): Promise<unknown> {
    const started = Date.now();
    for (let attempt = 0; ; attempt++) {
      this.#aim(service, args);
      try {
        const output = await next(args);
        if (this.#down) {
          this.#down = false;
          this.#notify(`reconnected to bucketflow dev (${this.#endpoints[service]})`);
        }
        return output;
      } catch (error) {
        const elapsed = Date.now() - started;
        if (!unreachable(error) || elapsed >= this.#maxWaitMs) throw error;
        if (!this.#down) {
          this.#down = true;
          this.#notify(
            `cannot reach bucketflow dev at ${this.#endpoints[service]} (${errorCode(error)}); ` +
              `retrying with backoff${this.#dataDir ? `, following ${this.#dataDir}/local.json` : ''}`,
          );
        }
        const delay = Math.min(FIRST_BACKOFF_MS * 2 ** attempt, MAX_BACKOFF_MS);
        await new Promise((resolve) =>
          setTimeout(resolve, Math.min(delay, this.#maxWaitMs - elapsed)),
        );
        this.#refresh();
      }
    }
  }

  /** Points the request at the service's current endpoint (host header included). */
  #aim(service: Service, args: FinalizeArgs): void {
    const endpoint = this.#endpoints[service];
    const request = args.request as {
      hostname?: string;
      port?: number;
      headers?: Record<string, string>;
    };
    if (!endpoint || typeof request.hostname !== 'string') return;
    const url = new URL(endpoint);
    request.hostname = url.hostname;
    request.port = Number(url.port);
    if (request.headers) request.headers.host = url.host;
  }

  /** Reads local.json again; keeps the endpoints when it is missing or names a stopped process. */
  #refresh(): void {
    if (!this.#dataDir) return;
    try {
      const latest = readLocalConnection(this.#dataDir, { required: false });
      if (latest) this.#endpoints = latest.endpoints;
    } catch {
      // Written by the process that stopped: the next start replaces it.
    }
  }
}

function unreachable(error: unknown): boolean {
  return UNREACHABLE.has(errorCode(error));
}

function errorCode(error: unknown): string {
  return (
    (error as NodeJS.ErrnoException | undefined)?.code ?? (error as Error | undefined)?.name ?? ''
  );
}
