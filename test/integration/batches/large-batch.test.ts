import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { destroyAwsClients } from '../../../lambdas/adapters/aws/aws-clients.js';
import { DynamoDbJobStore } from '../../../lambdas/adapters/aws/job-store/dynamodb-job-store.js';
import { SqsTaskQueue } from '../../../lambdas/adapters/aws/queues/sqs-task-queue.js';
import { TaskRegistry } from '../../../lambdas/sdk/task-registry.js';
import { TaskRunner } from '../../../lambdas/sdk/task-runner.js';
import { BatchTask } from '../../../lambdas/sdk/trigger-tasks.js';
import { batchMembersReader } from '../../../lambdas/sdk/triggers.js';
import { objectCreatedEvent } from '../../support/s3-event-factories.js';
import { testClock } from '../../support/test-clock.js';
import { uniqueName } from '../support/local-aws.js';
import {
  type BatchTables,
  createBatchTables,
  createBatchWorld,
  plainStore,
} from './batch-world.js';

const T0 = Date.parse('2026-03-01T12:00:00Z');
const MEMBERS = 5_000;
/** Records per ingest invocation: the handler takes any number, SQS hands it at most 10. */
const PER_INVOCATION = 500;

/** What each run of the task read, in order. */
const read: string[][] = [];

class CollectMembers extends BatchTask {
  static override identifier = { name: 'large/CollectMembers', version: 'v1.0' };
  async execute() {
    const keys: string[] = [];
    for await (const key of this.trigger.members()) keys.push(key);
    read.push(keys);
  }
}

describe('a batch larger than a task input and an event', () => {
  const clock = testClock(T0);
  let tables: BatchTables;

  beforeAll(async () => {
    tables = await createBatchTables(clock);
  });

  afterAll(() => destroyAwsClients(tables.plain));

  it('dispatches 5,000 members with 900-byte keys by reference, read back in order by the BatchTask', async () => {
    // Prepare: 4.5 MB of keys, beyond a task input (256 KB), an event (256 KB) and a transaction (4 MB).
    const automation = await tables.automations.create({
      name: uniqueName('large'),
      task: { identifier: CollectMembers.identifier, input: {} },
      triggers: {
        batch: {
          location: tables.location,
          prefixDepth: 1,
          count: MEMBERS,
          quietSeconds: 3_600,
          emitEvent: true,
        },
      },
    });
    const queue = new SqsTaskQueue({
      client: tables.plain.sqs,
      prefix: `${uniqueName('large')}-`,
      waitSeconds: 0,
      maxReceiveCount: 5,
      visibilitySeconds: 60,
    });
    const world = createBatchWorld(tables, {
      clock,
      client: tables.plain.dynamodb,
      automations: [automation],
      taskQueue: queue,
    });
    const keys = Array.from(
      { length: MEMBERS },
      (_, index) => `big/${String(index).padStart(6, '0')}-${'k'.repeat(889)}`,
    );

    // Act
    for (let from = 0; from < MEMBERS; from += PER_INVOCATION) {
      const records = keys.slice(from, from + PER_INVOCATION).map((key, offset) => ({
        messageId: `m-${from + offset}`,
        body: JSON.stringify(
          objectCreatedEvent({
            bucket: tables.bucket,
            key,
            sequencer: `00${(from + offset).toString(16).padStart(14, '0')}`,
            time: new Date(T0 + from + offset).toISOString(),
          }),
        ),
      }));
      const response = await world.ingest({ Records: records });
      expect(response.batchItemFailures).toEqual([]);
    }
    const runner = new TaskRunner({
      jobs: new DynamoDbJobStore({ client: tables.plain.dynamodb, tableName: tables.names.jobs }),
      queue,
      registry: new TaskRegistry([CollectMembers]),
      cluster: automation.cluster,
      leaseMs: 30_000,
      heartbeatMs: 3_000,
      handOnDelaySeconds: 0,
      triggerEnvironment: { batchMembers: batchMembersReader(plainStore(tables)) },
    });
    const summary = await runner.runAll({ signal: AbortSignal.timeout(120_000) });

    // Assess
    expect(summary.failed).toBe(0);
    expect(read).toHaveLength(1);
    expect(read[0]?.length).toBe(MEMBERS);
    // Compared as a whole only when it differs somewhere, so a failure names the first difference.
    const firstDifference = read[0]?.findIndex((key, index) => key !== keys[index]);
    expect(firstDifference).toBe(-1);
    const [event] = world.published.map((published) => published.batch);
    expect(event).toMatchObject({ count: MEMBERS, reason: 'count' });
    expect(event?.keys).toBeUndefined();
  }, 300_000);
});
