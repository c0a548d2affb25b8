import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ValidationError } from '../../../lambdas/core/errors.js';
import type { BatchStore } from '../../../lambdas/core/ports/batch-store.js';
import { JobNotFoundError } from '../../../lambdas/core/ports/job-store.js';
import type { RunnerRegistry } from '../../../lambdas/core/ports/runner-registry.js';
import type { Client } from '../../../lambdas/sdk/client.js';
import type { DeadLetterSummary } from '../../commands/dlq-format.js';
import { DevStackError } from '../errors.js';
import { type ConsoleAsset, loadConsoleAssets } from './console-assets.js';
import { type ConsoleRoute, routeRequest } from './console-routes.js';
import type { ConsoleSources } from './console-sources.js';
import { ConsoleRequestError } from './errors.js';

/** Options of {@link startConsoleServer}. */
export interface ConsoleServerOptions {
  /** Reads automations and jobs, cancels and retries jobs. */
  readonly client: Client;
  /** Lists open batches ({@link BatchStore.listOpen}). */
  readonly batches: BatchStore;
  /** The dead-lettered ingest events and task messages; none when absent. */
  readonly deadLetters?: (() => Promise<readonly DeadLetterSummary[]>) | undefined;
  /** Runner announcements, for the clusters view's runners seen recently; none listed when absent. */
  readonly runners?: RunnerRegistry | undefined;
  /** Queue depths (`TaskQueue.depth`) for the clusters view; not shown when absent. */
  readonly queueDepth?: ConsoleSources['queueDepth'];
  /** A job's task log lines, for attempts and logs in the job view; only the store's facts when absent. */
  readonly taskLogs?: ConsoleSources['taskLogs'];
  /** The clock of ages, next fire times and the default time range. @default Date.now */
  readonly now?: (() => number) | undefined;
  /** TCP port; 0 picks a free one. @default 0 */
  readonly port?: number | undefined;
  /** Only loopback: the console has no authentication. @default '127.0.0.1' */
  readonly host?: '127.0.0.1' | undefined;
  /** Called with every error answered as a 500, e.g. to print it in the dev log. */
  readonly onError?: ((error: unknown) => void) | undefined;
}

/** A running console. */
export interface ConsoleServer {
  /** e.g. `http://127.0.0.1:4280/` */
  readonly url: string;
  /** Stops accepting requests and closes open connections; safe to call twice. */
  stop(): Promise<void>;
}

const PAGE_HEADERS = {
  'content-security-policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-cache',
};

/**
 * Starts the local console of `bucketflow dev` on loopback: a single page
 * (jobs with filters, a job's trigger, tasks, attempts and log, clusters,
 * automations with their next fire, batches) and the JSON API it polls.
 * Plain `node:http`, no framework, no build step. docs/console.md lists the API.
 *
 * Routes: `GET /api/automations`, `GET /api/batches`, `GET /api/batches/stuck`, `GET /api/clusters`,
 * `GET /api/dead-letters`, `GET /api/jobs?state=&automation=&from=&to=&q=&limit=&cursor=`,
 * `GET /api/jobs/:id`, `POST /api/jobs/:id/cancel`, `POST /api/jobs/:id/retry`.
 * Errors are `{ "error": "…" }` with 400, 403, 404, 405 or 500.
 *
 * @example
 * ```ts
 * const console = await startConsoleServer({ client, batches, port: 4280 });
 * process.stdout.write(`console: ${console.url}\n`);
 * await console.stop();
 * ```
 */
export async function startConsoleServer(options: ConsoleServerOptions): Promise<ConsoleServer> {
  const host = options.host ?? '127.0.0.1';
  const port = options.port ?? 0;
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    throw new ValidationError('port', `${String(port)} is not a TCP port`, 'pass 0 to 65535');
  }
  const assets = await loadConsoleAssets();
  const sources: ConsoleSources = {
    client: options.client,
    batches: options.batches,
    deadLetters: options.deadLetters,
    runners: options.runners,
    queueDepth: options.queueDepth,
    taskLogs: options.taskLogs,
    now: options.now ?? Date.now,
  };
  let origins: ReadonlySet<string> = new Set();

  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      options.onError?.(error);
      // Loopback only, so the message helps more than it reveals.
      const message = error instanceof Error ? error.message : String(error);
      if (!response.headersSent) sendJson(response, 500, { error: message });
      else response.destroy();
    });
  });

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    try {
      checkOrigin(request, origins);
      const url = new URL(request.url ?? '/', 'http://console.invalid');
      const asset = assets.get(url.pathname);
      if (asset !== undefined) {
        if (request.method !== 'GET' && request.method !== 'HEAD') {
          throw new ConsoleRequestError(405, `${url.pathname} is read with GET`, ['GET', 'HEAD']);
        }
        sendAsset(response, asset, request.method === 'HEAD');
        return;
      }
      const route: ConsoleRoute = routeRequest(request.method ?? 'GET', url);
      sendJson(response, 200, await route.run(sources));
    } catch (error) {
      const status = statusOf(error);
      if (status === 500) throw error;
      const allow = error instanceof ConsoleRequestError ? error.allow : undefined;
      sendJson(response, status, { error: (error as Error).message }, allow);
    }
  }

  await new Promise<void>((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException) => {
      reject(
        error.code === 'EADDRINUSE'
          ? new DevStackError(
              `console: port ${port} on ${host} is in use (stop what holds it, or choose another port; 0 picks a free one)`,
              { cause: error },
            )
          : error,
      );
    };
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolve();
    });
  });
  const bound = (server.address() as AddressInfo).port;
  origins = new Set([`http://${host}:${bound}`, `http://localhost:${bound}`]);

  let stopping: Promise<void> | undefined;
  return {
    url: `http://${host}:${bound}/`,
    stop() {
      stopping ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return stopping;
    },
  };
}

/**
 * Refuses requests another site could make through the user's browser: a
 * Host that is not this loopback address (DNS rebinding) and a POST from
 * another origin (cross-site request forgery). Clients without an Origin
 * header (curl, fetch in Node) are not browsers acting for a page.
 */
function checkOrigin(request: IncomingMessage, origins: ReadonlySet<string>): void {
  const host = request.headers.host;
  if (host === undefined || !origins.has(`http://${host}`)) {
    throw new ConsoleRequestError(
      403,
      `host '${host ?? ''}' is not this console (open it at ${[...origins][0] ?? 'its loopback address'})`,
    );
  }
  const origin = request.headers.origin;
  if (request.method !== 'GET' && origin !== undefined && !origins.has(origin)) {
    throw new ConsoleRequestError(
      403,
      `origin '${origin}' may not change jobs through this console`,
    );
  }
}

function statusOf(error: unknown): number {
  if (error instanceof ConsoleRequestError) return error.status;
  if (error instanceof JobNotFoundError) return 404;
  if (error instanceof ValidationError) return 400;
  return 500;
}

function sendJson(
  response: ServerResponse,
  status: number,
  body: unknown,
  allow?: readonly string[],
): void {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
    ...(allow ? { allow: allow.join(', ') } : {}),
  });
  response.end(text);
}

function sendAsset(response: ServerResponse, asset: ConsoleAsset, headOnly: boolean): void {
  response.writeHead(200, {
    ...PAGE_HEADERS,
    'content-type': asset.contentType,
    'content-length': asset.body.length,
  });
  response.end(headOnly ? undefined : asset.body);
}
