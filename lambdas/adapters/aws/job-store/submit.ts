import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { ValidationError } from '../../../core/errors.js';
import { serializeTaskInput } from '../../../core/jobs/task-input.js';
import { type ValidatedTaskSpec, validateSubtasks } from '../../../core/jobs/task-spec.js';
import { textProblem } from '../../../core/jobs/text-rules.js';
import type { SubmitJobRequest, SubmitJobResult } from '../../../core/ports/job-store.js';
import { JobStoreContentionError } from '../../../core/ports/job-store.js';
import { isTraceparent } from '../../../core/ports/tracing.js';
import {
  claimKey,
  derivedJobId,
  existingJob,
  findByIdempotencyKey,
  idempotencyWrite,
  validateIdempotencyKey,
  validateKeyTime,
} from './idempotency.js';
import {
  batchItems,
  createdDay,
  createdSortKey,
  dayBucket,
  dispatchOf,
  JOB_DAYS_PK,
  jobKey,
  rootTrigger,
  toJob,
} from './items.js';
import { ConditionFailed, commit, type JobStoreContext, type Write } from './store-context.js';

const MAX_JOB_NAME_LENGTH = 1024;
/** Submits racing on one key retry this often when the winner's record is not readable yet. */
const IDEMPOTENT_ROUNDS = 5;

interface Submission {
  readonly name: string;
  readonly roots: readonly ValidatedTaskSpec[];
  readonly automationId: string | undefined;
  readonly triggerJson: string | undefined;
  readonly key: string | undefined;
  /** Set with a key that names a one-time fact: the job id is derived, no record is written. */
  readonly keyTime: number | undefined;
  readonly traceparent: string | undefined;
}

/**
 * Writes a job and its root tasks. A job with one root keeps the root in the
 * job item (one PutItem); several roots are task items written with the job
 * in one transaction. With an idempotency key the record is written first,
 * with a condition (absent, or expired) that makes exactly one of any number
 * of racing submits own the key; it names the job id, so a submit that finds
 * the record but not yet its job writes that job itself (the job item's own
 * condition lets exactly one write win). A crash between the two writes
 * therefore leaves nothing a repeat cannot finish.
 */
export async function submitJob(
  context: JobStoreContext,
  request: SubmitJobRequest,
): Promise<SubmitJobResult> {
  const submission = validateSubmission(request);
  const { key, keyTime } = submission;
  // A key that names a one-time fact gives the job id itself: the job item's own
  // `attribute_not_exists` condition lets exactly one of any number of submits (racing,
  // or repeated years later) create it, and the others read it back. No record expires.
  const derivedId =
    key !== undefined && keyTime !== undefined ? derivedJobId(key, keyTime) : undefined;
  for (let round = 1; ; round++) {
    const now = context.clock();
    let jobId = derivedId ?? context.newId(now);
    if (key !== undefined && derivedId === undefined && submission.roots.length === 1) {
      const claimed = await claimKey(context, key, jobId, now);
      if ('existing' in claimed) return claimed.existing;
      if ('retry' in claimed) {
        if (round < IDEMPOTENT_ROUNDS) continue;
        throw new JobStoreContentionError(`submit job ${submission.name}`, round);
      }
      jobId = claimed.jobId;
    }
    await markDay(context, now);
    const writes = jobWrites(context, submission, jobId, now);
    try {
      await commit(context, `submit job ${submission.name}`, writes);
    } catch (error) {
      if (!(error instanceof ConditionFailed) || key === undefined) throw error;
      // Another submit with the same key wrote the job (or, for several roots, the record).
      const existing =
        derivedId === undefined
          ? await findByIdempotencyKey(context, key, now)
          : await existingJob(context, derivedId);
      if (existing) return existing;
      if (derivedId === undefined && round < IDEMPOTENT_ROUNDS) continue;
      throw error;
    }
    return createdResult(writes);
  }
}

function createdResult(writes: readonly Write[]): SubmitJobResult {
  const job = writes.find((write) => 'put' in write && write.put.sk === 'JOB');
  const items = writes.flatMap((write) => ('put' in write ? [write.put] : []));
  return {
    job: toJob(job && 'put' in job ? job.put : {}),
    created: true,
    runnable: items.filter((item) => item.enqueuedAt !== undefined).map(dispatchOf),
  };
}

function validateSubmission(request: SubmitJobRequest): Submission {
  const nameProblem = textProblem(request.name, MAX_JOB_NAME_LENGTH);
  if (nameProblem) throw new ValidationError('name', nameProblem, "name the job, e.g. 'resize'");
  if (request.root !== undefined && request.roots !== undefined) {
    throw new ValidationError('roots', 'is given together with root', 'pass one of root and roots');
  }
  const field = request.roots === undefined ? 'root' : 'roots';
  const specs = request.roots ?? (request.root === undefined ? [] : [request.root]);
  const roots = validateSubtasks(specs, field);
  if (roots.length === 0) {
    throw new ValidationError(field, 'holds no task', 'pass the root task (or a list of them)');
  }
  const key = request.idempotencyKey;
  if (key !== undefined) validateIdempotencyKey(key);
  const keyTime = request.idempotencyKeyTime;
  if (keyTime !== undefined) validateKeyTime(keyTime, key);
  return {
    name: request.name,
    roots,
    automationId: request.automationId,
    triggerJson:
      request.trigger === undefined
        ? undefined
        : serializeTaskInput(request.trigger, 'trigger').json,
    key,
    keyTime,
    traceparent: request.traceparent,
  };
}

/** The puts of a new job: the job item (with its inline root) or the job and its root tasks. */
function jobWrites(
  context: JobStoreContext,
  submission: Submission,
  jobId: string,
  now: number,
): Write[] {
  const { roots, key, keyTime } = submission;
  const cluster = roots[0]?.cluster ?? context.defaultCluster;
  const inline = roots.length === 1;
  const rootIds = inline ? [jobId] : roots.map(() => context.newId(now));
  const tasks = batchItems(
    context,
    {
      jobId,
      parentId: null,
      cluster,
      state: 'QUEUED',
      parentTracks: false,
      traceparent: submission.traceparent,
    },
    roots,
    rootIds,
    now,
  );
  const rootHoldsTrigger =
    inline &&
    submission.triggerJson !== undefined &&
    rootTrigger(tasks[0]?.inputJson) === submission.triggerJson;
  const job: Record<string, unknown> = {
    ...(inline ? tasks[0] : {}),
    ...jobKey(jobId),
    jobName: submission.name,
    cancelled: false,
    started: false,
    ...(inline ? {} : { rootTaskIds: rootIds }),
    automationId: submission.automationId,
    ...(rootHoldsTrigger ? { triggerInRoot: true } : { triggerJson: submission.triggerJson }),
    idempotencyKey: key,
    ...(isTraceparent(submission.traceparent) ? { traceparent: submission.traceparent } : {}),
    cluster,
    taskCount: roots.length,
    nQueued: roots.length,
    nRunning: 0,
    nComputed: 0,
    nFailed: 0,
    nCancelled: 0,
    createdAt: now,
    updatedAt: now,
    createdDay: createdDay(context, jobId, now),
    createdKey: createdSortKey(now, jobId),
  };
  const notThere = 'attribute_not_exists(pk)';
  return [
    // Several roots: the record is written in the job's transaction (a single root wrote it first).
    ...(key !== undefined && keyTime === undefined && !inline
      ? [idempotencyWrite(context, key, jobId, now)]
      : []),
    { put: job, condition: notThere },
    ...(inline ? [] : tasks.map((task): Write => ({ put: task, condition: notThere }))),
  ];
}

/** Writes the day marker of `now` unless this store instance already did (see JOB_DAYS_PK). */
async function markDay(context: JobStoreContext, now: number): Promise<void> {
  const day = dayBucket(now);
  if (context.markedDays.has(day)) return;
  await context.doc.send(
    new PutCommand({ TableName: context.tableName, Item: { pk: JOB_DAYS_PK, sk: day } }),
  );
  context.markedDays.add(day);
}
