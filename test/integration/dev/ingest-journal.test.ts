import { randomUUID } from 'node:crypto';
import { appendFile, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DurableIngest } from '../../../bin/dev/durable-ingest.js';
import { IngestJournal } from '../../../bin/dev/ingest-journal.js';
import { IngestPump } from '../../../bin/dev/ingest-pump.js';
import { ensureIngestQueue } from '../../../bin/dev/stack-bootstrap.js';
import type { S3EventBridgeEvent } from '../../../lambdas/adapters/aws/events/s3-event-parsing.js';
import { messageCount } from '../../../lambdas/adapters/aws/queues/dead-letters.js';
import { createS3IngestHandler } from '../../../lambdas/handlers/s3-ingest.js';
import { objectCreatedEvent } from '../../support/s3-event-factories.js';
import { testClock } from '../../support/test-clock.js';
import { createTestRuntime, type TestRuntime } from '../support/handler-runtime.js';
import { uniqueName } from '../support/local-aws.js';

const BUCKET = 'journal-bucket';
const clock = testClock('2026-11-23T10:00:00Z');

const event = (key: string, sequencer: string) =>
  ({
    ...objectCreatedEvent({ bucket: BUCKET, key, sequencer, etag: `e-${key}` }),
    id: randomUUID(),
    time: new Date(clock()).toISOString(),
  }) as unknown as S3EventBridgeEvent;

describe('IngestJournal', () => {
  let dir: string;
  let file: string;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'bucketflow-journal-'));
    file = join(dir, 'ingest-journal.jsonl');
  });

  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('keeps what is not done across a reopen, ignoring a torn last line', async () => {
    // Prepare
    const journal = IngestJournal.open(file);
    journal.put([
      { id: 'a', body: '{"n":1}' },
      { id: 'b', body: '{"n":2}' },
      { id: 'c', body: '{"n":3}' },
    ]);
    journal.done(['b']);
    journal.close();
    await appendFile(file, '{"put":"d","bo');

    // Act
    const reopened = IngestJournal.open(file);

    // Assess
    expect(reopened.pending()).toEqual([
      { id: 'a', body: '{"n":1}' },
      { id: 'c', body: '{"n":3}' },
    ]);
    reopened.close();
  });

  it('rewrites the file without what is done once enough is done, keeping what is pending', async () => {
    // Prepare
    const journal = IngestJournal.open(file, { compactAfter: 3 });
    journal.put(['1', '2', '3', '4'].map((id) => ({ id, body: `{"id":"${id}"}` })));

    // Act
    journal.done(['1', '2', '3']);
    journal.put([{ id: '5', body: '{"id":"5"}' }]);
    journal.close();

    // Assess
    const lines = (await readFile(file, 'utf8')).trim().split('\n');
    expect(lines.map((line) => JSON.parse(line).put)).toEqual(['4', '5']);
    expect(
      IngestJournal.open(file)
        .pending()
        .map((entry) => entry.id),
    ).toEqual(['4', '5']);
  });

  it('refuses a damaged line that is not the last, saying how to start without it', async () => {
    // Prepare
    await appendFile(file, 'not json\n{"put":"a","body":"{}"}\n');

    // Act / Assess
    expect(() => IngestJournal.open(file)).toThrow(
      /line 1 is not a journal record .*move the file away/,
    );
  });
});

describe('DurableIngest with the IngestPump', () => {
  let env: TestRuntime;
  let automationId: string;
  let dir: string;

  const jobKeys = async () => {
    const page = await env.runtime.deps.jobs.queryJobs({
      from: 0,
      to: clock() + 60_000,
      automationId,
      limit: 1000,
    });
    return page.jobs.map((job) => JSON.parse(job.triggerJson ?? '{}').key as string).sort();
  };

  const drain = async (pump: IngestPump, queueUrl: string) => {
    for (let round = 0; round < 50; round++) {
      const { received } = await pump.pumpOnce(0);
      if (received === 0 && (await messageCount(env.clients.sqs, queueUrl)) === 0) return;
    }
    throw new Error('the ingest queue did not drain');
  };

  beforeAll(async () => {
    env = await createTestRuntime({ clock });
    await env.runtime.automations.registerLocation({ name: 'demo', kind: 's3', bucket: BUCKET });
    automationId = (
      await env.runtime.automations.create({
        name: 'texts',
        task: { identifier: { name: 'WordCount' }, input: {} },
        triggers: { storage: [{ location: 'demo', glob: '**.txt' }] },
      })
    ).id;
  });

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'bucketflow-durable-'));
  });

  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('ingests after a crash what was accepted but never reached the queue, once', async () => {
    // Prepare: events accepted, then the process "dies" (the in-memory queue goes with it).
    const file = join(dir, 'journal.jsonl');
    const lostQueue = await ensureIngestQueue(env.clients.sqs, {
      queue: uniqueName('lost'),
      deadLetterQueue: uniqueName('lost-dlq'),
    });
    const before = IngestJournal.open(file);
    new DurableIngest({ journal: before, sqs: env.clients.sqs, queueUrl: lostQueue }).accept([
      event('crash/1.txt', '01'),
      event('crash/2.txt', '02'),
    ]);
    before.close();
    const queueUrl = await ensureIngestQueue(env.clients.sqs, {
      queue: uniqueName('ingest'),
      deadLetterQueue: uniqueName('ingest-dlq'),
    });

    // Act: the restart.
    const journal = IngestJournal.open(file);
    const ingest = new DurableIngest({ journal, sqs: env.clients.sqs, queueUrl });
    ingest.start();
    await ingest.flush();
    const pump = new IngestPump({
      sqs: env.clients.sqs,
      queueUrl,
      handler: createS3IngestHandler(env.runtime),
      journal,
    });
    await drain(pump, queueUrl);
    await ingest.stop();

    // Assess
    expect((await jobKeys()).filter((key) => key.startsWith('crash/'))).toEqual([
      'crash/1.txt',
      'crash/2.txt',
    ]);
    expect(journal.size).toBe(0);
    journal.close();
  });

  it('journals a message sent straight to the queue until the handler ingested it', async () => {
    // Prepare
    const journal = IngestJournal.open(join(dir, 'journal.jsonl'));
    const queueUrl = await ensureIngestQueue(env.clients.sqs, {
      queue: uniqueName('ingest'),
      deadLetterQueue: uniqueName('ingest-dlq'),
    });
    await env.clients.sqs.send(
      new SendMessageCommand({
        QueueUrl: queueUrl,
        MessageBody: JSON.stringify(event('straight/1.txt', '03')),
      }),
    );
    const seenByHandler: string[] = [];
    const handler = createS3IngestHandler(env.runtime);
    const pump = new IngestPump({
      sqs: env.clients.sqs,
      queueUrl,
      journal,
      handler: async (input) => {
        seenByHandler.push(...input.Records.map((record) => record.messageId));
        expect(input.Records.every((record) => journal.has(record.messageId))).toBe(true);
        return handler(input);
      },
    });

    // Act
    await drain(pump, queueUrl);

    // Assess
    expect(seenByHandler).toHaveLength(1);
    expect(journal.size).toBe(0);
    expect(await jobKeys()).toContain('straight/1.txt');
    journal.close();
  });

  it('submits no second job when an ingested event is replayed (its done record was lost)', async () => {
    // Prepare
    const journal = IngestJournal.open(join(dir, 'journal.jsonl'));
    const queueUrl = await ensureIngestQueue(env.clients.sqs, {
      queue: uniqueName('ingest'),
      deadLetterQueue: uniqueName('ingest-dlq'),
    });
    const ingest = new DurableIngest({ journal, sqs: env.clients.sqs, queueUrl });
    ingest.start();
    const pump = new IngestPump({
      sqs: env.clients.sqs,
      queueUrl,
      handler: createS3IngestHandler(env.runtime),
      journal,
    });
    const replayed = event('replay/1.txt', '04');
    ingest.accept([replayed]);
    await ingest.flush();
    await drain(pump, queueUrl);

    // Act
    ingest.accept([replayed]);
    await ingest.flush();
    await drain(pump, queueUrl);
    await ingest.stop();

    // Assess
    expect((await jobKeys()).filter((key) => key === 'replay/1.txt')).toHaveLength(1);
    journal.close();
  });
});
