import {
  formatTaskIdentifier,
  type TaskIdentifier,
} from '../../../lambdas/core/jobs/task-identifier.js';
import { routeKey, type TaskRoute, taskRouteOf } from '../../../lambdas/core/jobs/task-routing.js';
import type { RunnerRegistration } from '../../../lambdas/core/ports/runner-registry.js';
import type { QueueDepth } from '../../../lambdas/core/ports/task-queue.js';
import { RECENT_JOBS_WINDOW_MS } from './console-params.js';
import type { ConsoleSources } from './console-sources.js';

/** Newest jobs whose queued tasks name routes no runner or automation names. */
export const ROUTE_DISCOVERY_JOBS = 100;
/** Unfinished jobs among them whose tasks are read. */
export const ROUTE_DISCOVERY_UNFINISHED = 20;

/** Why a route is listed: a runner polls it, an automation submits to it, or a queued task waits on it. */
export type RouteSource = 'runner' | 'automation' | 'queued-task';

/** A runner whose announcement has not lapsed. Times are epoch ms. */
export interface RunnerView {
  readonly runnerId: string;
  readonly kind: RunnerRegistration['kind'];
  readonly startedAt: number;
  readonly seenAt: number;
  readonly expiresAt: number;
  readonly identifiers: readonly string[];
}

/** A task queue of a cluster: one task name and major version. */
export interface RouteView {
  readonly taskName: string;
  readonly versionMajor: number;
  /** Live runners that registered this name and major version. */
  readonly runners: number;
  readonly sources: readonly RouteSource[];
  /** Approximate counts; null when this console cannot read queue depths. */
  readonly depth: Omit<QueueDepth, 'deadLettered'> | null;
}

/** A cluster as `GET /api/clusters` lists it. */
export interface ClusterView {
  readonly slug: string;
  readonly name: string;
  readonly createdAt: number;
  readonly runners: readonly RunnerView[];
  readonly routes: readonly RouteView[];
  /** Messages in the cluster's dead-letter queue; null when unknown. */
  readonly deadLettered: number | null;
}

/**
 * Every cluster with its runners seen recently (announcements that have not
 * lapsed), its task queues with their depth and its DLQ depth. Queue names
 * are hashes, so the routes are those the runners, the automations and the
 * queued tasks of recent unfinished jobs name.
 */
export async function listClusters(sources: ConsoleSources) {
  const [clusters, automations, queued] = await Promise.all([
    sources.client.clusters.list(),
    sources.client.automations.list({ includeDisabled: true }),
    queuedRoutes(sources),
  ]);
  const views = await Promise.all(
    clusters.map(async (cluster): Promise<ClusterView> => {
      const runners = (await sources.runners?.list(cluster.slug)) ?? [];
      const routes = new Map<string, { route: TaskRoute; sources: Set<RouteSource> }>();
      const add = (identifier: TaskIdentifier, source: RouteSource) => {
        const route = taskRouteOf(cluster.slug, identifier);
        const entry = routes.get(routeKey(route)) ?? { route, sources: new Set() };
        entry.sources.add(source);
        routes.set(routeKey(route), entry);
      };
      for (const runner of runners) for (const id of runner.identifiers) add(id, 'runner');
      for (const automation of automations) {
        if (automation.cluster === cluster.slug && automation.task) {
          add(automation.task.identifier, 'automation');
        }
      }
      for (const task of queued)
        if (task.cluster === cluster.slug) add(task.identifier, 'queued-task');
      const entries = [...routes.values()].sort((a, b) =>
        routeKey(a.route).localeCompare(routeKey(b.route)),
      );
      const depths = await Promise.all(entries.map((entry) => depthOf(sources, entry.route)));
      // The DLQ is the cluster's: any route's depth tells it; a made-up route when none is known.
      const dlq =
        depths[0] ??
        (await depthOf(sources, { cluster: cluster.slug, taskName: '', versionMajor: 0 }));
      return {
        slug: cluster.slug,
        name: cluster.name,
        createdAt: cluster.createdAt,
        runners: runners.map((runner) => ({
          runnerId: runner.runnerId,
          kind: runner.kind,
          startedAt: runner.startedAt,
          seenAt: runner.seenAt,
          expiresAt: runner.expiresAt,
          identifiers: runner.identifiers.map(formatTaskIdentifier),
        })),
        routes: entries.map(({ route, sources: from }, index) => {
          const depth = depths[index];
          return {
            taskName: route.taskName,
            versionMajor: route.versionMajor,
            runners: runners.filter((runner) =>
              runner.identifiers.some(
                (id) => routeKey(taskRouteOf(cluster.slug, id)) === routeKey(route),
              ),
            ).length,
            sources: [...from],
            depth: depth
              ? { visible: depth.visible, inFlight: depth.inFlight, delayed: depth.delayed }
              : null,
          };
        }),
        deadLettered: dlq?.deadLettered ?? null,
      };
    }),
  );
  return {
    now: sources.now(),
    clusters: views,
    runnersKnown: sources.runners !== undefined,
    depthsKnown: sources.queueDepth !== undefined,
  };
}

async function depthOf(sources: ConsoleSources, route: TaskRoute): Promise<QueueDepth | undefined> {
  return sources.queueDepth?.(route);
}

/** Clusters and identifiers of the queued tasks of the newest unfinished jobs. */
async function queuedRoutes(sources: ConsoleSources) {
  const now = sources.now();
  const page = await sources.client.jobs.query({
    from: Math.max(0, now - RECENT_JOBS_WINDOW_MS),
    to: now + 1,
    limit: ROUTE_DISCOVERY_JOBS,
  });
  const unfinished = page.jobs
    .filter((job) => job.state === 'QUEUED' || job.state === 'STARTED')
    .slice(0, ROUTE_DISCOVERY_UNFINISHED);
  const tasks = await Promise.all(unfinished.map((job) => sources.client.jobs.tasks(job.jobId)));
  return tasks.flat().filter((task) => task.state === 'QUEUED');
}
