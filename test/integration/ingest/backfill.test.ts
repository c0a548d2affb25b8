import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateBucketCommand, HeadObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backfillLocation } from '../../../bin/commands/backfill-run.js';
import { IngestPump } from '../../../bin/dev/ingest-pump.js';
import { ensureIngestQueue } from '../../../bin/dev/stack-bootstrap.js';
import { messageCount } from '../../../lambdas/adapters/aws/queues/dead-letters.js';
import { CATALOG_TTL_MS } from '../../../lambdas/handlers/runtime.js';
import { createS3IngestHandler } from '../../../lambdas/handlers/s3-ingest.js';
import type { Connection } from '../../../lambdas/sdk/connection.js';
import { objectCreatedEvent } from '../../support/s3-event-factories.js';
import { testClock } from '../../support/test-clock.js';
import { FAR_FUTURE_MS } from '../batches/batch-fixtures.js';
import { createTestRuntime, sqsEvent, type TestRuntime } from '../support/handler-runtime.js';
import { uniqueName } from '../support/local-aws.js';

const clock = testClock('2026-11-23T10:00:00Z');

describe('backfillLocation', () => {
  let env: TestRuntime;
  let bucket: string;
  let queueUrl: string;
  let connection: Connection;
  let storageId: string;
  let batchId: string;
  let folder: string;

  /** Runs the ingest queue through the handler until it is empty, as the Lambda would. */
  const drain = async () => {
    const pump = new IngestPump({
      sqs: env.clients.sqs,
      queueUrl,
      handler: createS3IngestHandler(env.runtime),
      waitSeconds: 0,
    });
    for (let round = 0; round < 100; round++) {
      const { received } = await pump.pumpOnce(0);
      if (received === 0 && (await messageCount(env.clients.sqs, queueUrl)) === 0) return;
    }
    throw new Error('the ingest queue did not drain');
  };

  const jobKeys = async (automationId: string) => {
    const page = await env.runtime.deps.jobs.queryJobs({
      from: 0,
      to: clock() + 60_000,
      automationId,
      limit: 1000,
    });
    return page.jobs.map((job) => JSON.parse(job.triggerJson ?? '{}').key as string).sort();
  };

  const put = (key: string, body: string) =>
    env.clients.s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));

  const run = (overrides: Partial<Parameters<typeof backfillLocation>[0]> = {}) =>
    backfillLocation({
      clients: env.clients,
      connection,
      location: 'lake',
      now: clock(),
      ...overrides,
    });

  beforeAll(async () => {
    env = await createTestRuntime({ clock });
    bucket = uniqueName('lake');
    await env.clients.s3.send(new CreateBucketCommand({ Bucket: bucket }));
    queueUrl = await ensureIngestQueue(env.clients.sqs, {
      queue: uniqueName('ingest'),
      deadLetterQueue: uniqueName('ingest-dlq'),
    });
    folder = await mkdtemp(join(tmpdir(), 'bucketflow-backfill-'));
    const { automations } = env.runtime;
    await automations.registerLocation({ name: 'lake', kind: 's3', bucket });
    await automations.registerLocation({ name: 'drop', kind: 'local-folder', path: folder });
    storageId = (
      await automations.create({
        name: 'csv-files',
        task: { identifier: { name: 'ReadCsv' }, input: {} },
        triggers: { storage: [{ location: 'lake', glob: '**.csv' }] },
      })
    ).id;
    // The folder's files are CSV too: backfilled only because an automation matches them.
    await automations.create({
      name: 'dropped-csv',
      task: { identifier: { name: 'ReadCsv' }, input: {} },
      triggers: { storage: [{ location: 'drop', glob: '**.csv' }] },
    });
    batchId = (
      await automations.create({
        name: 'lake-batches',
        task: { identifier: { name: 'PackageBatch' }, input: {} },
        triggers: {
          batch: { location: 'lake', prefixDepth: 1, count: 1000, quietSeconds: 60, ignore: [] },
        },
      })
    ).id;
    // A deployed stack's connection, its adapters pointed at the local servers.
    connection = {
      kind: 'aws',
      endpoints: { region: 'us-east-1' },
      tables: env.config.tables,
      taskQueuePrefix: env.config.taskQueuePrefix,
      ingestQueueUrl: queueUrl,
    };
  });

  afterAll(async () => {
    await rm(folder, { recursive: true, force: true });
  });

  it('ingests the objects that never had an event, once, beside those that had one', async () => {
    // Prepare
    const keys = ['a/1.csv', 'a/2.csv', 'b/3.csv', 'b/notes.txt', 'top.csv'];
    for (const key of keys) await put(key, `rows of ${key}`);
    const head = await env.clients.s3.send(
      new HeadObjectCommand({ Bucket: bucket, Key: 'a/1.csv' }),
    );
    const live = objectCreatedEvent({
      bucket,
      key: 'a/1.csv',
      etag: (head.ETag ?? '').replaceAll('"', ''),
      sequencer: '0A01',
      time: new Date(clock()).toISOString(),
    });
    await createS3IngestHandler(env.runtime)(sqsEvent([{ ...live, id: randomUUID() }], 'live'));

    // Act
    const summary = await run();
    await drain();
    const again = await run();
    await drain();

    // Assess
    expect(summary).toMatchObject({
      location: 'lake',
      bucket,
      listed: 5,
      alreadySeen: 1,
      ingested: 4,
      matched: { 'csv-files': 3, 'lake-batches': 4 },
    });
    expect(again).toMatchObject({ listed: 5, alreadySeen: 5, ingested: 0 });
    expect(await jobKeys(storageId)).toEqual(['a/1.csv', 'a/2.csv', 'b/3.csv', 'top.csv']);
    const open = (await env.runtime.deps.batches.findDue(FAR_FUTURE_MS, 100)).filter(
      (batch) => batch.automationId === batchId,
    );
    expect(open.map((batch) => `${batch.prefix}:${batch.count}`).sort()).toEqual([
      ':1',
      'a/:2',
      'b/:2',
    ]);
  });

  it('drops the live event of an object a backfill already ingested', async () => {
    // Prepare
    await put('late/4.csv', 'late rows');
    await run({ prefix: 'late/' });
    await drain();
    const head = await env.clients.s3.send(
      new HeadObjectCommand({ Bucket: bucket, Key: 'late/4.csv' }),
    );
    const live = objectCreatedEvent({
      bucket,
      key: 'late/4.csv',
      etag: (head.ETag ?? '').replaceAll('"', ''),
      sequencer: '0B01',
      time: new Date(clock()).toISOString(),
    });

    // Act
    const response = await createS3IngestHandler(env.runtime)(
      sqsEvent([{ ...live, id: randomUUID() }], 'late'),
    );

    // Assess
    expect(response.batchItemFailures).toEqual([]);
    expect((await jobKeys(storageId)).filter((key) => key === 'late/4.csv')).toHaveLength(1);
  });

  it('counts without sending in a dry run, and honours --prefix and --since', async () => {
    // Prepare
    await put('dry/5.csv', 'dry rows');
    await put('dry/6.csv', 'dry rows');
    const stored = await env.clients.s3.send(
      new HeadObjectCommand({ Bucket: bucket, Key: 'dry/6.csv' }),
    );
    // --since compares with the store's own clock: the objects' modification times.
    const afterBoth = (stored.LastModified?.getTime() ?? 0) + 3_600_000;

    // Act
    const dry = await run({ prefix: 'dry/', dryRun: true });
    const queued = await messageCount(env.clients.sqs, queueUrl);
    const future = await run({ prefix: 'dry/', since: afterBoth, dryRun: true });

    // Assess
    expect(dry).toMatchObject({ dryRun: true, listed: 2, alreadySeen: 0, ingested: 2 });
    expect(queued).toBe(0);
    expect(future).toMatchObject({ listed: 2, skippedOlder: 2, ingested: 0 });
  });

  it('backfills an object that arrived while no automation matched it, and only what one matches', async () => {
    // Prepare: a live event for an object of a location no automation watches yet.
    const lateBucket = uniqueName('late');
    await env.clients.s3.send(new CreateBucketCommand({ Bucket: lateBucket }));
    await env.runtime.automations.registerLocation({
      name: 'late',
      kind: 's3',
      bucket: lateBucket,
    });
    for (const key of ['scene.parquet', 'readme.txt']) {
      await env.clients.s3.send(
        new PutObjectCommand({ Bucket: lateBucket, Key: key, Body: `body of ${key}` }),
      );
    }
    const head = await env.clients.s3.send(
      new HeadObjectCommand({ Bucket: lateBucket, Key: 'scene.parquet' }),
    );
    const live = objectCreatedEvent({
      bucket: lateBucket,
      key: 'scene.parquet',
      etag: (head.ETag ?? '').replaceAll('"', ''),
      sequencer: '0C01',
      time: new Date(clock()).toISOString(),
    });
    await createS3IngestHandler(env.runtime)(sqsEvent([{ ...live, id: randomUUID() }], 'early'));
    const recordedBefore = await env.runtime.deliveries.recorded(lateBucket, [
      { key: 'scene.parquet', version: (head.ETag ?? '').replaceAll('"', '') },
    ]);
    const automation = await env.runtime.automations.create({
      name: 'parquet-files',
      task: { identifier: { name: 'ReadParquet' }, input: {} },
      triggers: { storage: [{ location: 'late', glob: '**.parquet' }] },
    });
    clock.advance(CATALOG_TTL_MS); // the ingest handler's catalog sees the new automation

    // Act
    const summary = await run({ location: 'late', now: clock() });
    await drain();
    const again = await run({ location: 'late', now: clock() });

    // Assess
    expect(recordedBefore.size).toBe(0);
    expect(summary).toMatchObject({
      listed: 2,
      alreadySeen: 0,
      unmatched: 1,
      ingested: 1,
      matched: { 'parquet-files': 1 },
    });
    expect(again).toMatchObject({ listed: 2, alreadySeen: 1, unmatched: 1, ingested: 0 });
    expect(await jobKeys(automation.id)).toEqual(['scene.parquet']);
  });

  it('refuses a local folder on a deployed stack and an unknown location, naming the option', async () => {
    // Prepare
    await writeFile(join(folder, 'a.csv'), 'x');

    // Act / Assess
    await expect(run({ location: 'drop' })).rejects.toThrow(/--location: 'drop' is a local folder/);
    await expect(run({ location: 'nowhere' })).rejects.toThrow(
      /--location: unknown storage location 'nowhere' \(registered: /,
    );
  });

  it('backfills a local folder of a local connection with its files’ pseudo-ETags', async () => {
    // Prepare
    await writeFile(join(folder, 'b.csv'), 'y');
    const local: Connection = { ...connection, kind: 'local' };

    // Act
    const summary = await run({ connection: local, location: 'drop' });
    const second = await run({ connection: local, location: 'drop' });
    await drain();
    const third = await run({ connection: local, location: 'drop' });

    // Assess
    expect(summary).toMatchObject({ bucket: 'drop', listed: 2, ingested: 2 });
    // The first run's events were not ingested yet when the second listed: sent again, dropped later.
    expect(second).toMatchObject({ ingested: 2 });
    expect(third).toMatchObject({ listed: 2, alreadySeen: 2, ingested: 0 });
  });
});
