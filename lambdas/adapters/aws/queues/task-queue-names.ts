import { createHash } from 'node:crypto';
import type { TaskRoute } from '../../../core/jobs/task-routing.js';
import { InvalidTaskQueueError } from '../../../core/ports/task-queue.js';

// The one home of task queue names: the adapter that creates queues on demand
// and the CDK constructs that create them up front (lib/names.ts) both call
// these functions, so the two can never disagree.

/** Task queues are `<prefix><cluster>_<task>_v<major>_<hash>`; the cluster's DLQ is `<prefix><cluster>-dlq`. */
export const TASK_QUEUE_PREFIX = 'bucketflow-tasks-';
export const TASK_DLQ_SUFFIX = '-dlq';
/** SQS: queue names are 1-80 characters of letters, digits, `-` and `_`. */
export const SQS_QUEUE_NAME_MAX = 80;
/** Hex characters of the route hash that keeps shortened or sanitised names unique. */
const ROUTE_HASH_CHARS = 10;
/** A name made only of the prefix and a hash keeps at least this many hash characters. */
const MIN_HASH_ONLY_CHARS = 12;

const QUEUE_NAME_CHARS = /^[A-Za-z0-9_-]+$/;

/**
 * The queue of a route: readable parts (cluster, the task name reduced to
 * letters, digits and `-`, the major version) and a hash of the exact route,
 * so that two routes never share a queue even when their readable parts are
 * cut to fit the 80-character limit or sanitised to the same text.
 *
 * @throws InvalidTaskQueueError when the cluster or prefix cannot be part of an SQS name
 * @example
 * ```ts
 * taskQueueName({ cluster: 'gpu', taskName: 'thumbnails/Resize', versionMajor: 1 });
 * // 'bucketflow-tasks-gpu_thumbnails-Resize_v1_3f1c…'
 * ```
 */
export function taskQueueName(route: TaskRoute, prefix = TASK_QUEUE_PREFIX): string {
  validateQueuePrefix(prefix);
  validateCluster(route.cluster, prefix);
  if (!Number.isSafeInteger(route.versionMajor) || route.versionMajor < 0) {
    throw new InvalidTaskQueueError(
      'versionMajor',
      `must be an integer >= 0, got ${route.versionMajor}`,
      'take it from the task identifier',
    );
  }
  const hash = createHash('sha256')
    .update(`${route.cluster}\n${route.taskName}\n${route.versionMajor}`)
    .digest('hex');
  const suffix = `_v${route.versionMajor}_${hash.slice(0, ROUTE_HASH_CHARS)}`;
  const room = SQS_QUEUE_NAME_MAX - prefix.length - suffix.length;
  if (room < route.cluster.length) {
    return `${prefix}${hash.slice(0, Math.max(MIN_HASH_ONLY_CHARS, SQS_QUEUE_NAME_MAX - prefix.length))}`;
  }
  const slug = route.taskName.replace(/[^A-Za-z0-9-]+/g, '-').replace(/^-+|-+$/g, '');
  const readable = slug ? `${route.cluster}_${slug}` : route.cluster;
  return `${prefix}${readable.slice(0, room)}${suffix}`;
}

/**
 * The dead-letter queue of a cluster, shared by the queues of all its routes.
 *
 * @throws InvalidTaskQueueError
 * @example
 * ```ts
 * deadLetterQueueName('gpu'); // 'bucketflow-tasks-gpu-dlq'
 * ```
 */
export function deadLetterQueueName(cluster: string, prefix = TASK_QUEUE_PREFIX): string {
  validateQueuePrefix(prefix);
  validateCluster(cluster, prefix);
  return `${prefix}${cluster}${TASK_DLQ_SUFFIX}`;
}

/** Longest cluster slug whose DLQ name fits the SQS limit with `prefix`. */
export function maxClusterSlugLength(prefix = TASK_QUEUE_PREFIX): number {
  return SQS_QUEUE_NAME_MAX - prefix.length - TASK_DLQ_SUFFIX.length;
}

/** Cluster slugs a task queue prefix must leave room for. */
const MIN_CLUSTER_SLUG_ROOM = 8;

/**
 * Why `prefix` cannot start task queue names, or undefined when it can: SQS
 * name characters only, and short enough to leave room for cluster slugs.
 * The CDK checks props and context with it at synth, the adapter before it
 * names a queue.
 *
 * @example
 * ```ts
 * queuePrefixProblem('tasks/'); // "must be letters, digits, '-' and '_' (SQS queue name characters)"
 * ```
 */
export function queuePrefixProblem(prefix: string): string | undefined {
  if (typeof prefix !== 'string' || !QUEUE_NAME_CHARS.test(prefix)) {
    return "must be letters, digits, '-' and '_' (SQS queue name characters)";
  }
  if (maxClusterSlugLength(prefix) < MIN_CLUSTER_SLUG_ROOM) {
    return `is ${prefix.length} characters long and leaves too little of the ${SQS_QUEUE_NAME_MAX}-character SQS queue name for cluster slugs`;
  }
  return undefined;
}

/**
 * Checks a task queue prefix ({@link queuePrefixProblem}).
 *
 * @throws InvalidTaskQueueError naming the rule the prefix breaks
 */
export function validateQueuePrefix(prefix: string): void {
  const problem = queuePrefixProblem(prefix);
  if (problem === undefined) return;
  const longest = SQS_QUEUE_NAME_MAX - TASK_DLQ_SUFFIX.length - MIN_CLUSTER_SLUG_ROOM;
  throw new InvalidTaskQueueError(
    'prefix',
    `${JSON.stringify(prefix)} ${problem}`,
    QUEUE_NAME_CHARS.test(prefix)
      ? `use a prefix of at most ${longest} characters`
      : `use "${TASK_QUEUE_PREFIX}"`,
  );
}

function validateCluster(cluster: string, prefix: string): void {
  if (typeof cluster !== 'string' || cluster.length === 0 || !QUEUE_NAME_CHARS.test(cluster)) {
    throw new InvalidTaskQueueError(
      'cluster',
      `${JSON.stringify(cluster)} cannot be part of an SQS queue name`,
      "use a cluster slug: letters, digits, '-' and '_'",
    );
  }
  const max = maxClusterSlugLength(prefix);
  if (cluster.length > max) {
    throw new InvalidTaskQueueError(
      'cluster',
      `"${cluster}" is ${cluster.length} characters; with the prefix "${prefix}" and "${TASK_DLQ_SUFFIX}" its queue name would exceed the ${SQS_QUEUE_NAME_MAX}-character SQS limit`,
      `use a slug of at most ${max} characters`,
    );
  }
}
