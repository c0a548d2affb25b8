import { describe, expect, it } from 'vitest';
import type { BatchToPublish } from '../../../lambdas/core/ports/event-publisher.js';
import { createBatchSweepHandler } from '../../../lambdas/handlers/batch-sweep.js';
import { createHandlerRuntime } from '../../../lambdas/handlers/runtime.js';
import { createS3IngestHandler } from '../../../lambdas/handlers/s3-ingest.js';
import { objectCreatedEvent } from '../../support/s3-event-factories.js';
import { testClock } from '../../support/test-clock.js';
import { createTestRuntime, sqsEvent } from '../support/handler-runtime.js';

const BUCKET = 'sweep-catalog-bucket';

describe('the batch sweep function', () => {
  it('delivers a batch of an automation created after its catalog was cached', async () => {
    // Prepare: the ingest and the sweep are separate functions with catalogs of their own. The
    // sweep runs first on an empty deployment (on AWS its schedule may fire before the config
    // custom resource has created anything) and caches the empty catalog.
    const t0 = Date.parse('2026-11-23T09:00:00Z');
    const clock = testClock('2026-11-23T09:00:00Z');
    const env = await createTestRuntime({ clock });
    const sweepPublished: BatchToPublish[] = [];
    const sweepRuntime = createHandlerRuntime(env.config, env.clients, {
      clock,
      eventPublisher: {
        publishBatchReady: async (batches) => {
          sweepPublished.push(...batches);
        },
      },
    });
    const sweep = createBatchSweepHandler(sweepRuntime);
    expect((await sweep()).closed).toBe(0);
    clock.set(t0 + 1_000);
    const { automations } = env.runtime;
    await automations.registerLocation({ name: 'catalog', kind: 's3', bucket: BUCKET });
    const automation = await automations.create({
      name: 'late-batches',
      task: { identifier: { name: 'PackageBatch' }, input: {} },
      triggers: {
        batch: { location: 'catalog', prefixDepth: 1, count: 100, quietSeconds: 2 },
      },
    });
    await createS3IngestHandler(env.runtime)(
      sqsEvent([
        objectCreatedEvent({
          bucket: BUCKET,
          key: 'in/a.csv',
          sequencer: '01',
          time: '2026-11-23T09:00:01Z',
        }),
      ]),
    );

    // Act: the quiet period ends well within the sweep's catalog cache time.
    clock.set(t0 + 4_000);
    const result = await sweep();

    // Assess
    expect(result.closed).toBe(1);
    expect(sweepPublished.map((batch) => [batch.automationName, batch.count])).toEqual([
      ['late-batches', 1],
    ]);
    const { jobs } = await env.runtime.deps.jobs.queryJobs({
      from: t0,
      to: t0 + 60_000,
      automationId: automation.id,
    });
    expect(jobs.map((job) => job.name)).toEqual(['late-batches']);
  });
});
