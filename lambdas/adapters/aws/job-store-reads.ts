import { BatchGetCommand, GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { JobPage, JobQuery, StoredJob } from '../../core/ports/job-store.js';
import { InvalidJobQueryError } from '../../core/ports/job-store-errors.js';
import type { JobStoreContext } from './job-store-dynamo.js';
import {
  createdSortKey,
  JOB_SK,
  jobKey,
  jobPk,
  monthBucket,
  TASK_SK_PREFIX,
  type TaskItem,
  taskKey,
  toJob,
} from './job-store-items.js';
import { JOBS_BY_CREATED_INDEX } from './tables/jobs-table.js';

type Item = Record<string, unknown>;

const DEFAULT_PAGE = 100;
const MAX_PAGE = 1000;
/** BatchGetItem takes at most 100 keys. */
const BATCH_GET_KEYS = 100;

export async function getItem(
  context: JobStoreContext,
  key: { pk: string; sk: string },
): Promise<Item | undefined> {
  const { Item } = await context.doc.send(
    new GetCommand({ TableName: context.tableName, Key: key, ConsistentRead: true }),
  );
  return Item;
}

/** The job and one of its tasks in one strongly consistent BatchGetItem. */
export async function getJobAndTask(
  context: JobStoreContext,
  jobId: string,
  taskId: string,
): Promise<{ job?: Item; task?: TaskItem }> {
  const items = await batchGet(context, [jobKey(jobId), taskKey(jobId, taskId)], true);
  return {
    job: items.find((item) => item.sk === JOB_SK),
    task: items.find((item) => item.sk !== JOB_SK) as TaskItem | undefined,
  };
}

/** Every task item of a job: one Query on the job's partition (paged by DynamoDB at 1 MB). */
export async function listTaskItems(context: JobStoreContext, jobId: string): Promise<TaskItem[]> {
  const tasks: TaskItem[] = [];
  let start: Item | undefined;
  do {
    const page = await context.doc.send(
      new QueryCommand({
        TableName: context.tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: { ':pk': jobPk(jobId), ':prefix': TASK_SK_PREFIX },
        ConsistentRead: true,
        ExclusiveStartKey: start,
      }),
    );
    tasks.push(...((page.Items ?? []) as TaskItem[]));
    start = page.LastEvaluatedKey;
  } while (start);
  return tasks;
}

async function batchGet(
  context: JobStoreContext,
  keys: readonly { pk: string; sk: string }[],
  consistent: boolean,
): Promise<Item[]> {
  const found: Item[] = [];
  for (let offset = 0; offset < keys.length; offset += BATCH_GET_KEYS) {
    let pending: Item[] | undefined = keys.slice(offset, offset + BATCH_GET_KEYS);
    while (pending && pending.length > 0) {
      const result = await context.doc.send(
        new BatchGetCommand({
          RequestItems: { [context.tableName]: { Keys: pending, ConsistentRead: consistent } },
        }),
      );
      found.push(...(result.Responses?.[context.tableName] ?? []));
      pending = result.UnprocessedKeys?.[context.tableName]?.Keys as Item[] | undefined;
    }
  }
  return found;
}

interface Cursor {
  /** Month bucket to continue in. */
  readonly m: string;
  /** Where that bucket's query stopped; absent to start the bucket from its newest job. */
  readonly k?: Item | undefined;
}

/**
 * Jobs created in [from, to), newest first: the by-creation index is read one
 * UTC month bucket at a time from the newest, then the full job items are
 * fetched with one BatchGetItem per page (the index projects only keys, so
 * counter updates on jobs never write the index).
 */
export async function queryJobs(context: JobStoreContext, query: JobQuery): Promise<JobPage> {
  const limit = query.limit ?? DEFAULT_PAGE;
  validateQuery(query, limit);
  const buckets = monthBuckets(query.from, query.to - 1);
  let cursor = query.cursor ? decodeCursor(query.cursor) : undefined;
  let index = cursor ? buckets.indexOf(cursor.m) : 0;
  if (index < 0) {
    throw new InvalidJobQueryError(
      'cursor',
      'belongs to a different time range',
      'pass the same from and to as for the first page',
    );
  }
  const keys: { pk: string; sk: string }[] = [];
  let nextCursor: string | undefined;
  for (; index < buckets.length && keys.length < limit; index++) {
    const bucket = buckets[index] as string;
    let start = cursor?.m === bucket ? cursor.k : undefined;
    cursor = undefined;
    do {
      const page = await context.doc.send(
        new QueryCommand({
          TableName: context.tableName,
          IndexName: JOBS_BY_CREATED_INDEX,
          KeyConditionExpression: 'jobsMonth = :bucket AND jobsCreated BETWEEN :low AND :high',
          ...(query.automationId ? { FilterExpression: 'automationId = :automation' } : {}),
          ExpressionAttributeValues: {
            ':bucket': bucket,
            ':low': createdSortKey(query.from, ''),
            // '$' sorts right after '#', so every job of the last millisecond is included.
            ':high': `${createdSortKey(query.to - 1, '').slice(0, -1)}$`,
            ...(query.automationId ? { ':automation': query.automationId } : {}),
          },
          ScanIndexForward: false,
          Limit: limit - keys.length,
          ExclusiveStartKey: start,
        }),
      );
      for (const item of page.Items ?? []) keys.push({ pk: item.pk, sk: item.sk });
      start = page.LastEvaluatedKey;
    } while (start && keys.length < limit);
    if (keys.length >= limit) {
      if (start) nextCursor = encodeCursor({ m: bucket, k: start });
      else if (index + 1 < buckets.length)
        nextCursor = encodeCursor({ m: buckets[index + 1] as string });
    }
  }
  const items = await batchGet(context, keys, false);
  const byPk = new Map(items.map((item) => [item.pk as string, toJob(item)]));
  const jobs = keys.flatMap((key) => byPk.get(key.pk) ?? []) as StoredJob[];
  return nextCursor ? { jobs, nextCursor } : { jobs };
}

const MAX_EPOCH_MS = 8.64e15;

function validateQuery(query: JobQuery, limit: number): void {
  for (const field of ['from', 'to'] as const) {
    // 8.64e15 ms is the last instant a JavaScript Date can hold (year 275760).
    if (!Number.isSafeInteger(query[field]) || query[field] < 0 || query[field] > MAX_EPOCH_MS) {
      throw new InvalidJobQueryError(
        field,
        `must be epoch milliseconds from 0 to ${MAX_EPOCH_MS}, got ${query[field]}`,
      );
    }
  }
  if (query.to <= query.from) {
    throw new InvalidJobQueryError(
      'to',
      `must be greater than from (${query.from}), got ${query.to}`,
      'pass a range [from, to)',
    );
  }
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE) {
    throw new InvalidJobQueryError(
      'limit',
      `must be an integer from 1 to ${MAX_PAGE}, got ${limit}`,
    );
  }
}

/** UTC month buckets from the one holding `last` back to the one holding `first`. */
function monthBuckets(first: number, last: number): string[] {
  const buckets: string[] = [];
  const date = new Date(last);
  let year = date.getUTCFullYear();
  let month = date.getUTCMonth();
  const stop = monthBucket(first);
  for (;;) {
    const bucket = monthBucket(Date.UTC(year, month, 1));
    buckets.push(bucket);
    if (bucket === stop) return buckets;
    month -= 1;
    if (month < 0) {
      month = 11;
      year -= 1;
    }
  }
}

function encodeCursor(cursor: Cursor): string {
  return Buffer.from(JSON.stringify(cursor)).toString('base64url');
}

function decodeCursor(text: string): Cursor {
  try {
    const cursor = JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as Cursor;
    if (typeof cursor.m === 'string') return cursor;
  } catch {
    // Reported below with the fix.
  }
  throw new InvalidJobQueryError(
    'cursor',
    'is not a cursor this store returned',
    'pass nextCursor from the previous page unchanged',
  );
}

/** Reads a job item; undefined when absent. */
export async function findJobItem(context: JobStoreContext, jobId: string) {
  return getItem(context, jobKey(jobId));
}
