import { maxClusterSlugLength } from '../lambdas/adapters/aws/queues/task-queue-names.js';
import { CLUSTER_SLUG_PATTERN } from '../lambdas/core/automations/cluster-slug.js';
import { parseTaskIdentifier } from '../lambdas/core/jobs/task-identifier.js';
import { TASK_DLQ_SUFFIX, TASK_QUEUE_PREFIX } from './constants.js';

// Task queue names come from the one function the runtime adapter uses too.
export {
  deadLetterQueueName,
  maxClusterSlugLength,
  queuePrefixProblem,
  taskQueueName,
} from '../lambdas/adapters/aws/queues/task-queue-names.js';

// Naming rules checked at synth time, so that a bad name fails `cdk synth`
// with a clear message instead of a CloudFormation rollback.

const BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const IP_ADDRESS = /^\d{1,3}(\.\d{1,3}){3}$/;

/**
 * Why `name` is not a valid S3 bucket name (general purpose buckets), or
 * undefined when it is.
 *
 * @example
 * ```ts
 * bucketNameProblem('My_Bucket'); // 'is not a valid S3 bucket name: ...'
 * ```
 */
export function bucketNameProblem(name: string): string | undefined {
  const rules =
    '3-63 lowercase letters, digits, dots and hyphens, starting and ending with a letter or digit';
  if (!BUCKET_NAME.test(name)) return `is not a valid S3 bucket name (${rules})`;
  if (name.includes('..')) return 'is not a valid S3 bucket name (two adjacent dots)';
  if (IP_ADDRESS.test(name)) return 'is not a valid S3 bucket name (formatted as an IP address)';
  return undefined;
}

/**
 * Why `slug` cannot name a cluster with an SQS task queue, or undefined when
 * it can. SQS limits queue names to 80 characters, so the slug must leave room
 * for the prefix and the `-dlq` suffix.
 *
 * @example
 * ```ts
 * clusterSlugProblem('gpu cluster'); // 'is not a cluster slug (...)'
 * ```
 */
export function clusterSlugProblem(slug: string, prefix = TASK_QUEUE_PREFIX): string | undefined {
  if (!CLUSTER_SLUG_PATTERN.test(slug)) {
    return "is not a cluster slug (letters, digits, '-' and '_', starting with a letter or digit)";
  }
  const max = maxClusterSlugLength(prefix);
  if (slug.length > max) {
    return `is ${slug.length} characters long; with the queue prefix "${prefix}" and "${TASK_DLQ_SUFFIX}" the SQS queue name allows at most ${max}`;
  }
  return undefined;
}

/**
 * Why `identifier` cannot name a task a Lambda runner registers
 * (`Name@vX.Y`, the format of the CLI's `--task`), or undefined when it can.
 *
 * @example
 * ```ts
 * taskIdentifierProblem('Resize@v1'); // 'is not a task identifier: ...'
 * ```
 */
export function taskIdentifierProblem(identifier: string): string | undefined {
  try {
    parseTaskIdentifier(identifier);
    return undefined;
  } catch (error) {
    return `is not a task identifier Name@vX.Y: ${error instanceof Error ? error.message : String(error)}`;
  }
}
