import {
  listAutomations,
  listDeadLetters,
  listOpenBatches,
  listStuckBatches,
} from './console-api.js';
import { listClusters } from './console-clusters-api.js';
import { cancelJob, jobDetail, retryJob } from './console-job-api.js';
import { listJobs } from './console-jobs-api.js';
import type { ConsoleSources } from './console-sources.js';
import { ConsoleRequestError } from './errors.js';

/** A matched API request: what to run; its result is the JSON body of a 200. */
export interface ConsoleRoute {
  run(sources: ConsoleSources): Promise<unknown>;
}

interface RouteDefinition {
  readonly method: 'GET' | 'POST';
  readonly pattern: RegExp;
  readonly handler: (sources: ConsoleSources, match: RegExpExecArray, url: URL) => Promise<unknown>;
}

const ROUTES: readonly RouteDefinition[] = [
  {
    method: 'GET',
    pattern: /^\/api\/automations$/,
    handler: (sources) => listAutomations(sources),
  },
  { method: 'GET', pattern: /^\/api\/batches$/, handler: (sources) => listOpenBatches(sources) },
  {
    method: 'GET',
    pattern: /^\/api\/batches\/stuck$/,
    handler: (sources) => listStuckBatches(sources),
  },
  { method: 'GET', pattern: /^\/api\/clusters$/, handler: (sources) => listClusters(sources) },
  {
    method: 'GET',
    pattern: /^\/api\/dead-letters$/,
    handler: (sources) => listDeadLetters(sources),
  },
  {
    method: 'GET',
    pattern: /^\/api\/jobs$/,
    handler: (sources, _match, url) => listJobs(sources, url.searchParams),
  },
  {
    method: 'GET',
    pattern: /^\/api\/jobs\/([^/]+)$/,
    handler: (sources, match) => jobDetail(sources, segment(match)),
  },
  {
    method: 'POST',
    pattern: /^\/api\/jobs\/([^/]+)\/cancel$/,
    handler: (sources, match) => cancelJob(sources, segment(match)),
  },
  {
    method: 'POST',
    pattern: /^\/api\/jobs\/([^/]+)\/retry$/,
    handler: (sources, match) => retryJob(sources, segment(match)),
  },
];

/**
 * The API route for a request, or a {@link ConsoleRequestError}: 404 for an
 * unknown path, 405 (with the methods it accepts) for a known path asked
 * with another method.
 *
 * @example
 * ```ts
 * const route = routeRequest('GET', new URL('http://127.0.0.1/api/jobs?limit=5'));
 * const body = await route.run(sources);
 * ```
 */
export function routeRequest(method: string, url: URL): ConsoleRoute {
  const allowed: string[] = [];
  for (const route of ROUTES) {
    const match = route.pattern.exec(url.pathname);
    if (match === null) continue;
    if (route.method !== method) {
      allowed.push(route.method);
      continue;
    }
    return { run: (sources) => route.handler(sources, match, url) };
  }
  if (allowed.length > 0) {
    throw new ConsoleRequestError(
      405,
      `${method} is not accepted on ${url.pathname} (use ${allowed.join(' or ')})`,
      allowed,
    );
  }
  throw new ConsoleRequestError(
    404,
    `no route for ${method} ${url.pathname} (the API has /api/automations, /api/batches, /api/batches/stuck, /api/clusters, /api/dead-letters, /api/jobs and /api/jobs/:id)`,
  );
}

function segment(match: RegExpExecArray): string {
  const raw = match[1] ?? '';
  try {
    return decodeURIComponent(raw);
  } catch {
    throw new ConsoleRequestError(400, `'${raw}' is not a valid path segment`);
  }
}
