import { BatchGetCommand, GetCommand, paginateQuery, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { JobPage, JobQuery, StoredJob } from '../../../core/ports/job-store.js';
import { InvalidJobQueryError } from '../../../core/ports/job-store.js';
import { JOBS_BY_CREATED_INDEX } from '../dynamodb/tables/jobs-table.js';
import {
  createdSortKey,
  dayBucket,
  hasInlineRoot,
  isInlineRoot,
  JOB_DAYS_PK,
  JOB_SK,
  jobKey,
  jobPk,
  TASK_SK_PREFIX,
  type TaskItem,
  taskKey,
  toJob,
} from './items.js';
import type { JobStoreContext } from './store-context.js';

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

/**
 * The job and one of its tasks, strongly consistent: one GetItem for a job's
 * inline root (the job item holds it), else one BatchGetItem.
 */
export async function getJobAndTask(
  context: JobStoreContext,
  jobId: string,
  taskId: string,
): Promise<{ job?: Item; task?: TaskItem }> {
  if (isInlineRoot(jobId, taskId)) {
    const item = await getItem(context, jobKey(jobId));
    return item && hasInlineRoot(item) ? { job: item, task: item as TaskItem } : { job: item };
  }
  const items = await batchGet(context, [jobKey(jobId), taskKey(jobId, taskId)], true);
  return {
    job: items.find((item) => item.sk === JOB_SK),
    task: items.find((item) => item.sk !== JOB_SK) as TaskItem | undefined,
  };
}

/**
 * Every task item of a job (its inline root first, when it has one): one
 * Query on the job's partition (paged by DynamoDB at 1 MB).
 */
export async function listTaskItems(context: JobStoreContext, jobId: string): Promise<TaskItem[]> {
  const tasks: TaskItem[] = [];
  const pages = paginateQuery(
    { client: context.doc },
    {
      TableName: context.tableName,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': jobPk(jobId) },
      ConsistentRead: true,
    },
  );
  for await (const page of pages) {
    for (const item of page.Items ?? []) {
      if (hasInlineRoot(item) || String(item.sk).startsWith(TASK_SK_PREFIX)) {
        tasks.push(item as TaskItem);
      }
    }
  }
  return tasks;
}

/** Items by key, strongly consistent or not, 100 keys per BatchGetItem. */
export async function batchGet(
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
  /** Day bucket to continue in. */
  readonly d: string;
  /** Sort key of the last job returned from that day; absent to start the day from its newest job. */
  readonly k?: string | undefined;
}

/**
 * Jobs created in [from, to), newest first. The by-creation index is read a
 * UTC day at a time from the newest: every shard of the day with one Query
 * each (in parallel, `Limit` = the rest of the page), merged by creation
 * time; then the full job items are fetched with one BatchGetItem per page
 * (the index projects only keys and the automation, so counter updates on
 * jobs never write it).
 */
export async function queryJobs(context: JobStoreContext, query: JobQuery): Promise<JobPage> {
  const limit = query.limit ?? DEFAULT_PAGE;
  validateQuery(query, limit);
  const days = await daysWithJobs(context, query.from, query.to - 1);
  const cursor = query.cursor ? decodeCursor(query.cursor) : undefined;
  let index = cursor ? days.indexOf(cursor.d) : 0;
  if (index < 0) {
    throw new InvalidJobQueryError(
      'cursor',
      'belongs to a different time range',
      'pass the same from and to as for the first page',
    );
  }
  const low = createdSortKey(query.from, '');
  // '$' sorts right after '#', so every job of the last millisecond is included.
  const high = `${createdSortKey(query.to - 1, '').slice(0, -1)}$`;
  const found: Item[] = [];
  let nextCursor: string | undefined;
  for (let before = cursor?.k; index < days.length && found.length < limit; index++) {
    const day = days[index] as string;
    const wanted = limit - found.length;
    const probe = wanted + 1 + (before === undefined ? 0 : 1);
    const entries = await newestOfDay(context, day, low, before ?? high, probe, query);
    // The cursor's own entry (the last one returned) is excluded.
    const fresh = entries.filter((entry) => entry.createdKey !== before);
    before = undefined;
    found.push(...fresh.slice(0, wanted));
    if (found.length >= limit) {
      const last = found.at(-1);
      const moreToday = fresh.length > wanted;
      if (moreToday && last) nextCursor = encodeCursor({ d: day, k: last.createdKey as string });
      else if (index + 1 < days.length) nextCursor = encodeCursor({ d: days[index + 1] as string });
    }
  }
  const keys = found.map((entry) => ({ pk: entry.pk as string, sk: entry.sk as string }));
  const items = await batchGet(context, keys, false);
  const byPk = new Map(items.map((item) => [item.pk as string, toJob(item)]));
  const jobs = keys.flatMap((key) => byPk.get(key.pk) ?? []) as StoredJob[];
  return nextCursor ? { jobs, nextCursor } : { jobs };
}

/** Up to `wanted` newest index entries of one day with sort keys in [low, high], over every shard. */
async function newestOfDay(
  context: JobStoreContext,
  day: string,
  low: string,
  high: string,
  wanted: number,
  query: JobQuery,
): Promise<Item[]> {
  const shards = Array.from({ length: context.createdShards }, (_, shard) => `${day}#${shard}`);
  const perShard = await Promise.all(
    shards.map(async (partition) => {
      const entries: Item[] = [];
      let start: Item | undefined;
      do {
        const page = await context.doc.send(
          new QueryCommand({
            TableName: context.tableName,
            IndexName: JOBS_BY_CREATED_INDEX,
            KeyConditionExpression: 'createdDay = :day AND createdKey BETWEEN :low AND :high',
            ...(query.automationId ? { FilterExpression: 'automationId = :automation' } : {}),
            ExpressionAttributeValues: {
              ':day': partition,
              ':low': low,
              ':high': high,
              ...(query.automationId ? { ':automation': query.automationId } : {}),
            },
            ScanIndexForward: false,
            Limit: wanted - entries.length,
            ExclusiveStartKey: start,
          }),
        );
        entries.push(...(page.Items ?? []));
        start = page.LastEvaluatedKey;
      } while (start && entries.length < wanted);
      return entries;
    }),
  );
  return perShard
    .flat()
    .sort((a, b) => (String(b.createdKey) < String(a.createdKey) ? -1 : 1))
    .slice(0, wanted);
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

/**
 * The UTC day buckets from the one holding `last` back to the one holding
 * `first` that hold jobs, newest first, from the day markers (one Query), so
 * that a sparse range does not query every shard of every empty day.
 */
async function daysWithJobs(context: JobStoreContext, first: number, last: number) {
  const days: string[] = [];
  const pages = paginateQuery(
    { client: context.doc },
    {
      TableName: context.tableName,
      KeyConditionExpression: 'pk = :pk AND sk BETWEEN :first AND :last',
      ExpressionAttributeValues: {
        ':pk': JOB_DAYS_PK,
        ':first': dayBucket(first),
        ':last': dayBucket(last),
      },
      ScanIndexForward: false,
    },
  );
  for await (const page of pages) for (const item of page.Items ?? []) days.push(item.sk as string);
  return days;
}

function encodeCursor(cursor: Cursor): string {
  return Buffer.from(JSON.stringify(cursor)).toString('base64url');
}

function decodeCursor(text: string): Cursor {
  try {
    const cursor = JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as Cursor;
    if (typeof cursor.d === 'string') return cursor;
  } catch {
    // Reported below with the fix.
  }
  throw new InvalidJobQueryError(
    'cursor',
    'is not a cursor this store returned',
    'pass nextCursor from the previous page unchanged',
  );
}
