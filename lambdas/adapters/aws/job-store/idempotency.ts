import { createHash } from 'node:crypto';
import { utf8Length } from '../../../core/jobs/task-input.js';
import { encodeUlid, MAX_ULID_TIME, ULID_RANDOM_BYTES } from '../../../core/jobs/ulid.js';
import type { SubmitJobResult } from '../../../core/ports/job-store.js';
import { InvalidIdempotencyKeyError } from '../../../core/ports/job-store.js';
import { idempotencyKey, jobKey, toJob } from './items.js';
import { getItem } from './reads.js';
import { ConditionFailed, commit, type JobStoreContext, type Write } from './store-context.js';

/**
 * How a submit with an idempotency key finds the job a repeat must return:
 * an expiring record naming the job id (any key), or a job id derived from
 * the key (a key naming a one-time fact, see `idempotencyKeyTime`).
 */

/** Longest idempotency key; DynamoDB partition keys hold at most 2048 bytes. */
export const MAX_IDEMPOTENCY_KEY_BYTES = 2000;

type KeyClaim =
  | { readonly jobId: string }
  | { readonly existing: SubmitJobResult }
  | { readonly retry: true };

/**
 * Writes the idempotency record for `jobId`, or finds the one that is there:
 * its job when written, else its job id to write the job under.
 */
export async function claimKey(
  context: JobStoreContext,
  key: string,
  jobId: string,
  now: number,
): Promise<KeyClaim> {
  try {
    await commit(context, `claim idempotency key ${key}`, [
      idempotencyWrite(context, key, jobId, now),
    ]);
    return { jobId };
  } catch (error) {
    if (!(error instanceof ConditionFailed)) throw error;
  }
  const record = await getItem(context, idempotencyKey(key));
  // Expired between the write and this read: try to take the key again.
  if (!record || (record.expiresAt as number) <= Math.floor(now / 1000)) return { retry: true };
  const existing = await existingJob(context, record.jobId as string);
  if (existing) return { existing };
  return { jobId: record.jobId as string };
}

export function idempotencyWrite(
  context: JobStoreContext,
  key: string,
  jobId: string,
  now: number,
): Write {
  const nowSeconds = Math.floor(now / 1000);
  return {
    put: {
      ...idempotencyKey(key),
      jobId,
      createdAt: now,
      expiresAt: nowSeconds + context.idempotencyTtlSeconds,
    },
    // An expired record is absent: DynamoDB Local (and AWS, for up to days) keeps it.
    condition: 'attribute_not_exists(pk) OR expiresAt <= :now',
    values: { ':now': nowSeconds },
  };
}

/**
 * The job id of a key that names a one-time fact: a ULID whose time is the
 * fact's and whose 80 random bits are the key's SHA-256, so the same key and
 * time always give the same id and different keys collide with odds of 2^-80.
 */
export function derivedJobId(key: string, keyTime: number): string {
  const digest = createHash('sha256').update(`job:${key}`, 'utf8').digest();
  return encodeUlid(keyTime, new Uint8Array(digest.subarray(0, ULID_RANDOM_BYTES)));
}

export async function findByIdempotencyKey(
  context: JobStoreContext,
  key: string,
  now: number,
): Promise<SubmitJobResult | undefined> {
  const record = await getItem(context, idempotencyKey(key));
  if (!record || (record.expiresAt as number) <= Math.floor(now / 1000)) return undefined;
  return existingJob(context, record.jobId as string);
}

export function validateIdempotencyKey(key: string): void {
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

export function validateKeyTime(keyTime: number, key: string | undefined): void {
  if (key === undefined) {
    throw new InvalidIdempotencyKeyError(
      'idempotencyKeyTime',
      'is given without an idempotencyKey',
      'pass the key whose fact happened at this time, or leave the time out',
    );
  }
  if (!Number.isInteger(keyTime) || keyTime < 0 || keyTime > MAX_ULID_TIME) {
    throw new InvalidIdempotencyKeyError(
      'idempotencyKeyTime',
      `must be an integer number of milliseconds since the epoch, got ${keyTime}`,
      'pass e.g. Date.parse(event.time)',
    );
  }
}

/** The job `jobId` as a repeated submit returns it, or undefined when it is not there. */
export async function existingJob(
  context: JobStoreContext,
  jobId: string,
): Promise<SubmitJobResult | undefined> {
  const job = await getItem(context, jobKey(jobId));
  return job && { job: toJob(job), created: false, runnable: [] };
}
