import type { TaskStateCounts } from '../../../lambdas/core/jobs/job-counts.js';
import type { JobState } from '../../../lambdas/core/jobs/task-state.js';
import { isUlid } from '../../../lambdas/core/jobs/ulid.js';
import type { Automation } from '../../../lambdas/core/ports/automation-store.js';
import type { StoredJob } from '../../../lambdas/core/ports/job-store.js';
import { traceIdOf } from '../../../lambdas/core/ports/tracing.js';
import { encodeJobsCursor, type JobListQuery, parseJobListQuery } from './console-params.js';
import { automationsById, type ConsoleSources } from './console-sources.js';
import { type TriggerView, triggerMentions, triggerSummary } from './console-triggers.js';
import { ConsoleRequestError } from './errors.js';

/** Store page size while filtering or searching: the cursor's skip counts in it. */
export const SCAN_PAGE_SIZE = 200;
/** Jobs one filtered request looks at before it answers with what it found and a cursor. */
export const MAX_SCANNED_JOBS = 2000;
/** Store pages one request reads at most, however few jobs they hold. */
export const MAX_STORE_PAGES = 20;
/** Failed jobs whose error is remembered, so a poll does not read their tasks again. */
const ERROR_CACHE_SIZE = 1000;

/** A job as `GET /api/jobs` lists it. */
export interface JobView {
  readonly jobId: string;
  readonly name: string;
  readonly state: JobState;
  readonly cluster: string;
  readonly automationId: string | null;
  readonly automation: string | null;
  readonly taskCount: number;
  readonly counts: TaskStateCounts;
  /** What submitted it; batch members beyond the first few are left to the job view. */
  readonly trigger: TriggerView | null;
  /** A FAILED job's error: the last error of its first failed task. */
  readonly error: string | null;
  /** The trace the job was submitted in (`bucketflow jobs trace JOB` prints it); null untraced. */
  readonly traceId: string | null;
  readonly createdAt: number;
  readonly updatedAt: number;
}

/** `GET /api/jobs`: a page of jobs, newest first. */
export interface JobListView {
  readonly now: number;
  /** The time range looked at, epoch ms, `to` exclusive. */
  readonly from: number;
  readonly to: number;
  readonly jobs: readonly JobView[];
  /** Pass as `?cursor=` (with the same filters) for the next page; null on the last page. */
  readonly nextCursor: string | null;
  /** Jobs looked at to fill this page: more than listed when filters or a search left some out. */
  readonly scanned: number;
}

/**
 * A page of jobs submitted in a time range (the last 31 days by default),
 * newest first, filtered by state and automation and searched by job id,
 * name or object key. A filtered page reads the store in pages of
 * {@link SCAN_PAGE_SIZE} and stops after {@link MAX_SCANNED_JOBS}, so a page
 * may hold fewer jobs than `limit` and still have a `nextCursor`.
 */
export async function listJobs(
  sources: ConsoleSources,
  params: URLSearchParams,
): Promise<JobListView> {
  const now = sources.now();
  const query = parseJobListQuery(params, now);
  const automations = await automationsById(sources);
  const automationId = resolveAutomation(query.automation, automations);
  const page =
    query.search !== undefined && isUlid(query.search)
      ? await byId(sources, query.search)
      : await scan(sources, query, automationId);
  const jobs = await Promise.all(
    page.jobs.map(async (job) => jobView(job, automations, await failureOf(sources, job))),
  );
  return { now, from: query.from, to: query.to, ...page, jobs };
}

/** A job as the list and the job view show it. */
export function jobView(
  job: StoredJob,
  automations: ReadonlyMap<string, Automation>,
  error: string | null = null,
): JobView {
  return {
    jobId: job.jobId,
    name: job.name,
    state: job.state,
    cluster: job.cluster,
    automationId: job.automationId ?? null,
    automation: job.automationId ? (automations.get(job.automationId)?.name ?? null) : null,
    taskCount: job.taskCount,
    counts: job.counts,
    trigger: triggerSummary(job),
    error,
    traceId: traceIdOf(job.traceparent) ?? null,
    createdAt: job.createdAt,
    updatedAt: job.updatedAt,
  };
}

interface ScannedPage {
  readonly jobs: readonly StoredJob[];
  readonly nextCursor: string | null;
  readonly scanned: number;
}

/** A job id search finds that job whatever the other filters say. */
async function byId(sources: ConsoleSources, jobId: string): Promise<ScannedPage> {
  const job = await sources.client.jobs.find(jobId);
  return { jobs: job ? [job] : [], nextCursor: null, scanned: job ? 1 : 0 };
}

async function scan(
  sources: ConsoleSources,
  query: JobListQuery,
  automationId: string | undefined,
): Promise<ScannedPage> {
  const matches = matcher(query);
  const pageSize = query.cursor?.pageSize ?? (matches ? SCAN_PAGE_SIZE : query.limit);
  let store = query.cursor?.store;
  let skip = query.cursor?.skip ?? 0;
  const found: StoredJob[] = [];
  let scanned = 0;
  let pages = 0;
  const cursor = (next: string | undefined, at: number) =>
    encodeJobsCursor({ from: query.from, to: query.to, store: next, skip: at, pageSize });
  for (;;) {
    const page = await sources.client.jobs.query({
      from: query.from,
      to: query.to,
      limit: pageSize,
      cursor: store,
      automationId,
    });
    for (let index = skip; index < page.jobs.length; index++) {
      const job = page.jobs[index] as StoredJob;
      scanned++;
      if (matches && !matches(job)) continue;
      found.push(job);
      if (found.length < query.limit) continue;
      const more = index + 1 < page.jobs.length;
      if (more) return { jobs: found, nextCursor: cursor(store, index + 1), scanned };
      return {
        jobs: found,
        nextCursor: page.nextCursor ? cursor(page.nextCursor, 0) : null,
        scanned,
      };
    }
    if (page.nextCursor === undefined) return { jobs: found, nextCursor: null, scanned };
    store = page.nextCursor;
    skip = 0;
    pages++;
    if (scanned >= MAX_SCANNED_JOBS || pages >= MAX_STORE_PAGES) {
      return { jobs: found, nextCursor: cursor(store, 0), scanned };
    }
  }
}

/** The test a job must pass, or undefined when every job of the range is listed. */
function matcher(query: JobListQuery): ((job: StoredJob) => boolean) | undefined {
  const { states, search } = query;
  if (states === undefined && search === undefined) return undefined;
  const text = search?.toLowerCase();
  return (job) =>
    (states === undefined || states.has(job.state)) &&
    (text === undefined || job.name.toLowerCase().includes(text) || triggerMentions(job, text));
}

function resolveAutomation(
  wanted: string | undefined,
  automations: ReadonlyMap<string, Automation>,
): string | undefined {
  if (wanted === undefined) return undefined;
  if (automations.has(wanted)) return wanted;
  const named = [...automations.values()].find((automation) => automation.name === wanted);
  if (named) return named.id;
  throw new ConsoleRequestError(
    400,
    `automation: '${wanted}' is not the id or name of an automation (GET /api/automations lists them)`,
  );
}

const failures = new WeakMap<ConsoleSources, Map<string, string | null>>();

/** A FAILED job's error, read from its tasks once per job version. */
async function failureOf(sources: ConsoleSources, job: StoredJob): Promise<string | null> {
  if (job.state !== 'FAILED') return null;
  let cache = failures.get(sources);
  if (cache === undefined) {
    cache = new Map();
    failures.set(sources, cache);
  }
  const key = `${job.jobId}@${job.updatedAt}`;
  const cached = cache.get(key);
  if (cached !== undefined) return cached;
  const tasks = await sources.client.jobs.tasks(job.jobId);
  const error = tasks.find((task) => task.state === 'FAILED' && task.lastError)?.lastError ?? null;
  if (cache.size >= ERROR_CACHE_SIZE) cache.clear();
  cache.set(key, error);
  return error;
}
