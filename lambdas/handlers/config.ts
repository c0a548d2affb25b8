import { z } from 'zod';
import { ENV, tableEnvironmentName } from '../adapters/aws/deployment-environment.js';
import { TASK_QUEUE_PREFIX } from '../adapters/aws/queues/task-queue-names.js';
import { ValidationError } from '../core/errors.js';

/** What every handler needs to know, read once from the environment the CDK stack sets. */
export interface HandlerConfig {
  readonly region: string;
  readonly tables: {
    readonly jobs: string;
    readonly automations: string;
    readonly batches: string;
  };
  readonly eventBusName: string;
  readonly taskQueuePrefix: string;
  readonly taskQueueMaxReceiveCount: number;
}

const nonEmpty = z.string().min(1);
const schema = z.object({
  AWS_REGION: nonEmpty,
  [tableEnvironmentName('jobs')]: nonEmpty,
  [tableEnvironmentName('automations')]: nonEmpty,
  [tableEnvironmentName('batches')]: nonEmpty,
  [ENV.eventBusName]: nonEmpty,
  [ENV.taskQueuePrefix]: nonEmpty.default(TASK_QUEUE_PREFIX),
  [ENV.taskQueueMaxReceiveCount]: z.coerce.number().int().min(1).max(1000).default(5),
});

/**
 * Validates the environment; a missing or malformed variable is named in the
 * error, so a misconfigured function fails at init with a clear message.
 *
 * @example
 * ```ts
 * const config = loadHandlerConfig(process.env);
 * ```
 */
export function loadHandlerConfig(env: Record<string, string | undefined>): HandlerConfig {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ValidationError(
      `environment ${String(issue?.path[0] ?? '')}`,
      issue?.message ?? 'is invalid',
      'the BucketflowService construct sets it; redeploy the stack',
    );
  }
  const values = parsed.data as Record<string, string | number>;
  return {
    region: String(values.AWS_REGION),
    tables: {
      jobs: String(values[tableEnvironmentName('jobs')]),
      automations: String(values[tableEnvironmentName('automations')]),
      batches: String(values[tableEnvironmentName('batches')]),
    },
    eventBusName: String(values[ENV.eventBusName]),
    taskQueuePrefix: String(values[ENV.taskQueuePrefix]),
    taskQueueMaxReceiveCount: Number(values[ENV.taskQueueMaxReceiveCount]),
  };
}
