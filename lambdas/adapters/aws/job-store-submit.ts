import { ValidationError } from '../../core/errors.js';
import { serializeTaskInput, utf8Length } from '../../core/jobs/task-input.js';
import { validateSubtasks } from '../../core/jobs/task-spec.js';
import { textProblem } from '../../core/jobs/text-rules.js';
import type { SubmitJobRequest, SubmitJobResult } from '../../core/ports/job-store.js';
import { InvalidIdempotencyKeyError, JobNotFoundError } from '../../core/ports/job-store-errors.js';
import { ConditionFailed, type JobStoreContext, transact } from './job-store-dynamo.js';
import {
  batchItems,
  createdSortKey,
  dispatchOf,
  idempotencyKey,
  jobKey,
  monthBucket,
  toJob,
} from './job-store-items.js';
import { getItem } from './job-store-reads.js';

/** Longest idempotency key; DynamoDB partition keys hold at most 2048 bytes. */
export const MAX_IDEMPOTENCY_KEY_BYTES = 2000;
const MAX_JOB_NAME_LENGTH = 1024;
/** Submits racing on one key retry this often when the winner's record is not readable yet. */
const IDEMPOTENT_ROUNDS = 5;

/**
 * Writes the job, its root task and the idempotency record in one
 * transaction. The idempotency record's condition (absent, or expired) makes
 * exactly one of any number of racing submits create the job; the others
 * read the record and return that job.
 */
export async function submitJob(
  context: JobStoreContext,
  request: SubmitJobRequest,
): Promise<SubmitJobResult> {
  const nameProblem = textProblem(request.name, MAX_JOB_NAME_LENGTH);
  if (nameProblem) throw new ValidationError('name', nameProblem, "name the job, e.g. 'resize'");
  const [root] = validateSubtasks([request.root], 'root');
  if (!root) throw new ValidationError('root', 'is missing', 'pass the root task');
  const triggerJson =
    request.trigger === undefined ? undefined : serializeTaskInput(request.trigger, 'trigger').json;
  const key = request.idempotencyKey;
  if (key !== undefined) validateIdempotencyKey(key);

  for (let round = 1; ; round++) {
    const now = context.clock();
    if (key !== undefined) {
      const existing = await findByIdempotencyKey(context, key, now);
      if (existing) return existing;
    }
    const jobId = context.newId(now);
    const rootId = context.newId(now);
    const cluster = root.cluster ?? context.defaultCluster;
    const [task] = batchItems(
      context,
      { jobId, parentId: null, cluster, state: 'QUEUED' },
      [root],
      [rootId],
      now,
    );
    if (!task) throw new ValidationError('root', 'is missing', 'pass the root task');
    const jobItem = {
      ...jobKey(jobId),
      type: 'JOB',
      jobId,
      jobName: request.name,
      cancelled: false,
      started: false,
      rootTaskIds: [rootId],
      automationId: request.automationId,
      triggerJson,
      idempotencyKey: key,
      cluster,
      taskCount: 1,
      nQueued: 1,
      nRunning: 0,
      nComputed: 0,
      nFailed: 0,
      nCancelled: 0,
      createdAt: now,
      updatedAt: now,
      jobsMonth: monthBucket(now),
      jobsCreated: createdSortKey(now, jobId),
    };
    const nowSeconds = Math.floor(now / 1000);
    try {
      await transact(context, `submit job ${request.name}`, [
        ...(key === undefined
          ? []
          : [
              {
                Put: {
                  TableName: context.tableName,
                  Item: {
                    ...idempotencyKey(key),
                    type: 'IDEMPOTENCY',
                    jobId,
                    createdAt: now,
                    expiresAt: nowSeconds + context.idempotencyTtlSeconds,
                  },
                  // An expired record is absent: DynamoDB Local (and AWS, for up to days) keeps it.
                  ConditionExpression: 'attribute_not_exists(pk) OR expiresAt <= :now',
                  ExpressionAttributeValues: { ':now': nowSeconds },
                },
              },
            ]),
        {
          Put: {
            TableName: context.tableName,
            Item: jobItem,
            ConditionExpression: 'attribute_not_exists(pk)',
          },
        },
        {
          Put: {
            TableName: context.tableName,
            Item: task,
            ConditionExpression: 'attribute_not_exists(pk)',
          },
        },
      ]);
    } catch (error) {
      // Another submit with the same key won; read its job on the next round.
      if (error instanceof ConditionFailed && key !== undefined && round < IDEMPOTENT_ROUNDS)
        continue;
      throw error;
    }
    return { job: toJob(jobItem), created: true, runnable: [dispatchOf(task)] };
  }
}

async function findByIdempotencyKey(
  context: JobStoreContext,
  key: string,
  now: number,
): Promise<SubmitJobResult | undefined> {
  const record = await getItem(context, idempotencyKey(key));
  if (!record || (record.expiresAt as number) <= Math.floor(now / 1000)) return undefined;
  const job = await getItem(context, jobKey(record.jobId as string));
  if (!job) throw new JobNotFoundError(record.jobId as string);
  return { job: toJob(job), created: false, runnable: [] };
}

function validateIdempotencyKey(key: string): void {
  if (typeof key !== 'string' || key.length === 0) {
    throw new InvalidIdempotencyKeyError(
      'idempotencyKey',
      'must be a non-empty string',
      "use e.g. 'cron:<automationId>:<fireTime>'",
    );
  }
  const bytes = utf8Length(key);
  if (bytes > MAX_IDEMPOTENCY_KEY_BYTES) {
    throw new InvalidIdempotencyKeyError(
      'idempotencyKey',
      `is ${bytes} bytes long, more than the ${MAX_IDEMPOTENCY_KEY_BYTES} allowed`,
      'hash long parts such as object keys (e.g. sha256) before building the key',
    );
  }
}
