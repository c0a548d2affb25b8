import { formatTaskIdentifier, parseTaskVersion, type TaskIdentifier } from './task-identifier.js';

/**
 * Where a task's queue messages go: its cluster and the name and major
 * version of its identifier. Runners poll the routes of the identifiers they
 * registered, so a runner only ever receives tasks it may run (up to the
 * minor version, which the claim checks).
 */
export interface TaskRoute {
  readonly cluster: string;
  readonly taskName: string;
  readonly versionMajor: number;
}

/**
 * The route of a task submitted as `identifier` on `cluster`.
 *
 * @example
 * ```ts
 * taskRouteOf('gpu', taskIdentifier('Resize', 'v1.3')); // { cluster: 'gpu', taskName: 'Resize', versionMajor: 1 }
 * ```
 */
export function taskRouteOf(cluster: string, identifier: TaskIdentifier): TaskRoute {
  return {
    cluster,
    taskName: identifier.name,
    versionMajor: parseTaskVersion(identifier.version).major,
  };
}

/** A stable text key of a route, for maps: `cluster\nname\nmajor`. */
export function routeKey(route: TaskRoute): string {
  return `${route.cluster}\n${route.taskName}\n${route.versionMajor}`;
}

/** What a runner announced it polls: its cluster and the identifiers it registered. */
export interface RunnerAnnouncement {
  readonly runnerId: string;
  readonly cluster: string;
  readonly identifiers: readonly TaskIdentifier[];
}

/**
 * Why no live runner will take a queued task, or undefined when one may:
 * none of the cluster's runners registered the task's name and major version,
 * or those that did registered an older minor version.
 *
 * @example
 * ```ts
 * routingProblem({ cluster: 'gpu', identifier: taskIdentifier('Resize', 'v1.3') }, []);
 * // 'no runner on cluster gpu registered Resize@v1.x'
 * ```
 */
export function routingProblem(
  task: { readonly cluster: string; readonly identifier: TaskIdentifier },
  runners: readonly RunnerAnnouncement[],
): string | undefined {
  const wanted = parseTaskVersion(task.identifier.version);
  const sameMajor = runners
    .filter((runner) => runner.cluster === task.cluster)
    .flatMap((runner) => runner.identifiers)
    .filter(
      (identifier) =>
        identifier.name === task.identifier.name &&
        parseTaskVersion(identifier.version).major === wanted.major,
    );
  if (sameMajor.length === 0) {
    return `no runner on cluster ${task.cluster} registered ${task.identifier.name}@v${wanted.major}.x`;
  }
  const newest = Math.max(
    ...sameMajor.map((identifier) => parseTaskVersion(identifier.version).minor),
  );
  if (newest >= wanted.minor) return undefined;
  return `runners on cluster ${task.cluster} registered ${task.identifier.name} up to v${wanted.major}.${newest}; ${formatTaskIdentifier(task.identifier)} needs v${wanted.major}.${wanted.minor} or newer`;
}
