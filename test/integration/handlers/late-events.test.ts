import { beforeAll, describe, expect, it } from 'vitest';
import { decodeUlidTime } from '../../../lambdas/core/jobs/ulid.js';
import { DAY_MS, REDELIVERY_HORIZON_MS } from '../../../lambdas/core/retention.js';
import { createBatchSweepHandler } from '../../../lambdas/handlers/batch-sweep.js';
import { createS3IngestHandler } from '../../../lambdas/handlers/s3-ingest.js';
import { objectCreatedEvent } from '../../support/s3-event-factories.js';
import { testClock } from '../../support/test-clock.js';
import { createTestRuntime, sqsEvent, type TestRuntime } from '../support/handler-runtime.js';

const BUCKET = 'late-bucket';
/** The world's now; every event below happened ten days before it (redriven from a DLQ). */
const T0 = Date.parse('2026-11-23T10:00:00Z');
const TEN_DAYS_AGO = T0 - 10 * DAY_MS;

/** An event from ten days ago, `seconds` after that. */
function lateEvent(key: string, sequencer: string, seconds = 0) {
  const time = new Date(TEN_DAYS_AGO + seconds * 1000).toISOString();
  return objectCreatedEvent({ bucket: BUCKET, key, sequencer, time });
}

describe('events ingested days after they happened', () => {
  const clock = testClock(T0);
  let env: TestRuntime;
  let ids: { counted: string; quiet: string; storage: string };

  beforeAll(async () => {
    env = await createTestRuntime({ clock });
    const { automations } = env.runtime;
    await automations.registerLocation({ name: 'late', kind: 's3', bucket: BUCKET });
    // Each batch automation ignores the other's folder; the storage folder is ignored by both.
    const batch = (name: string, count: number, ignore: string[]) =>
      automations.create({
        name,
        task: { identifier: { name: 'PackageBatch' }, input: {} },
        triggers: { batch: { location: 'late', prefixDepth: 1, count, quietSeconds: 60, ignore } },
      });
    const counted = await batch('late-counted', 3, ['quiet', 'texts']);
    const quiet = await batch('late-quiet', 100, ['counted', 'texts']);
    const storage = await automations.create({
      name: 'late-text',
      task: { identifier: { name: 'ProcessText' }, input: {} },
      triggers: { storage: [{ location: 'late', glob: 'texts/**.txt' }] },
    });
    ids = { counted: counted.id, quiet: quiet.id, storage: storage.id };
  });

  it('closes a batch on count and dispatches a job and an event that carry every member', async () => {
    // Prepare
    const ingest = createS3IngestHandler(env.runtime);
    const keys = ['counted/a.csv', 'counted/b.csv', 'counted/c.csv'];

    // Act
    const response = await ingest(
      sqsEvent(
        keys.map((key, index) => lateEvent(key, `0A0${index}`, index)),
        'count',
      ),
    );

    // Assess
    expect(response.batchItemFailures).toEqual([]);
    const published = env.published.filter((batch) => batch.automationId === ids.counted);
    expect(published.map((batch) => [batch.prefix, batch.count, batch.keys])).toEqual([
      ['counted/', 3, keys],
    ]);
    expect(await triggerKeysOf(ids.counted)).toEqual([keys]);
  });

  it('closes a quiet batch of late events at the next sweep with every member', async () => {
    // Prepare
    const ingest = createS3IngestHandler(env.runtime);
    const sweep = createBatchSweepHandler(env.runtime);
    await ingest(sqsEvent([lateEvent('quiet/a.csv', '0B01'), lateEvent('quiet/b.csv', '0B02', 5)]));
    clock.advance(60_000);

    // Act
    const result = await sweep();

    // Assess
    expect(result.closed).toBeGreaterThanOrEqual(1);
    const published = env.published.filter((batch) => batch.automationId === ids.quiet);
    expect(published.map((batch) => [batch.reason, batch.keys])).toEqual([
      ['quiet', ['quiet/a.csv', 'quiet/b.csv']],
    ]);
    expect(await triggerKeysOf(ids.quiet)).toEqual([['quiet/a.csv', 'quiet/b.csv']]);
  });

  it('drops a duplicate that comes back two days after its late original', async () => {
    // Prepare: the original is counted now; its duplicate is redriven two days later.
    const ingest = createS3IngestHandler(env.runtime);
    await ingest(sqsEvent([lateEvent('counted/d.csv', '0C01')], 'original'));
    clock.advance(2 * DAY_MS);

    // Act
    await ingest(sqsEvent([lateEvent('counted/d.csv', '0C01')], 'redriven'));
    await ingest(
      sqsEvent([lateEvent('counted/e.csv', '0C02', 1), lateEvent('counted/f.csv', '0C03', 2)]),
    );

    // Assess
    const published = env.published.filter(
      (batch) => batch.automationId === ids.counted && batch.keys?.includes('counted/d.csv'),
    );
    expect(published.map((batch) => batch.keys)).toEqual([
      ['counted/d.csv', 'counted/e.csv', 'counted/f.csv'],
    ]);
  });

  it('submits no second storage job when an event is redriven ten days after its first delivery', async () => {
    // Prepare
    const ingest = createS3IngestHandler(env.runtime);
    const event = lateEvent('texts/notes.txt', '0D01');
    await ingest(sqsEvent([event], 'first'));
    clock.advance(10 * DAY_MS);

    // Act
    await ingest(sqsEvent([event], 'from-dlq'));

    // Assess
    const page = await env.runtime.deps.jobs.queryJobs({
      from: T0 - DAY_MS,
      to: clock() + 1,
      automationId: ids.storage,
    });
    expect(page.jobs).toHaveLength(1);
  });

  it('submits no second storage job for an event replayed after idempotency records expired', async () => {
    // Prepare: an archive replay can bring an event back long after the redelivery horizon.
    const ingest = createS3IngestHandler(env.runtime);
    const event = lateEvent('texts/replayed.txt', '0D02', 7);
    await ingest(sqsEvent([event], 'live'));
    clock.advance(2 * REDELIVERY_HORIZON_MS);

    // Act
    await ingest(sqsEvent([event], 'replayed'));

    // Assess
    const page = await env.runtime.deps.jobs.queryJobs({
      from: T0 - DAY_MS,
      to: clock() + 1,
      automationId: ids.storage,
    });
    const replayed = page.jobs.filter((job) => job.idempotencyKey?.includes('texts/replayed.txt'));
    expect(replayed).toHaveLength(1);
    // The job id is derived from the event: its time is the event's.
    expect(decodeUlidTime(replayed[0]?.jobId ?? '')).toBe(TEN_DAYS_AGO + 7_000);
  });

  /** The member keys in the trigger of each BatchTask job an automation submitted. */
  async function triggerKeysOf(automationId: string): Promise<string[][]> {
    const { jobs } = env.runtime.deps;
    const page = await jobs.queryJobs({ from: T0 - DAY_MS, to: clock() + 1, automationId });
    const keys: string[][] = [];
    for (const job of page.jobs) {
      const [task] = await jobs.listTasks(job.jobId);
      keys.push(JSON.parse(task?.inputJson ?? '{}').__trigger.keys);
    }
    return keys;
  }
});
