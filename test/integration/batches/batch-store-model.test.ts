import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { BatchAccumulator } from '../../../lambdas/core/batching/batch-accumulator.js';
import type { ClosedBatch } from '../../../lambdas/core/batching/batch-state.js';
import type { BatchRecord } from '../../../lambdas/core/ports/batch-store.js';
import { automationId, batchTable, event, FAR_FUTURE_MS, policy, T0 } from './batch-fixtures.js';

describe('DynamoDbBatchStore against the core model', () => {
  let table: Awaited<ReturnType<typeof batchTable>>;

  beforeAll(async () => {
    table = await batchTable();
  });

  const scenario = fc.record({
    count: fc.integer({ min: 1, max: 6 }),
    maxAge: fc.option(fc.constantFrom(25, 40), { nil: undefined }),
    // Whole seconds (as EventBridge reports S3 event times) around the 10 s quiet period, so
    // batches close by quiet, age and count, and events often land exactly on a deadline.
    steps: fc.array(
      fc.record({
        gapS: fc.integer({ min: 0, max: 14 }),
        prefix: fc.integer({ min: 0, max: 2 }),
      }),
      { minLength: 1, maxLength: 40 },
    ),
    cuts: fc.array(fc.integer({ min: 1, max: 39 }), { maxLength: 6 }),
  });

  it('closes the same batches with the same members as the in-memory accumulator, sweep included', async () => {
    await fc.assert(
      fc.asyncProperty(scenario, async ({ count, maxAge, steps, cuts }) => {
        // Prepare
        const store = table.store();
        const automation = automationId();
        const batching = policy({ count, quietSeconds: 10, maxAgeSeconds: maxAge });
        let time = T0;
        const events = steps.map((step, index) => {
          time += step.gapS * 1000;
          return event(`p${step.prefix}/k${index}`, time);
        });
        const model = new BatchAccumulator(batching);
        const expected: ClosedBatch[] = events.flatMap((e) => model.add(e).closed);
        const bounds = [...new Set([0, ...cuts.filter((c) => c < events.length), events.length])];
        bounds.sort((a, b) => a - b);

        // Act
        const closed: BatchRecord[] = [];
        for (let i = 0; i + 1 < bounds.length; i++) {
          const chunk = events.slice(bounds[i], bounds[i + 1]);
          const now = chunk.at(-1)?.time ?? T0;
          const result = await store.apply(
            { automationId: automation, policy: batching, events: chunk },
            now,
          );
          expect(result.failed).toEqual([]);
          closed.push(...result.closed);
        }

        // Assess
        const summary = (batch: Omit<ClosedBatch, 'keys'>) =>
          `${batch.prefix} ${batch.count} ${batch.reason} ${batch.closedAt} ${batch.firstEventAt}`;
        const stored = await Promise.all(
          closed.map(
            async (record) => `${summary(record)} ${await store.readMembers(record.batchId)}`,
          ),
        );
        expect(stored.sort()).toEqual(
          expected.map((batch) => `${summary(batch)} ${batch.keys}`).sort(),
        );
        const flushed = model.flush();
        const swept: BatchRecord[] = [];
        for (const open of flushed) {
          const stored = await store.findOpen(automation, 'bucket-a', open.prefix);
          const record = stored && (await store.closeDue(stored, FAR_FUTURE_MS));
          if (record) swept.push(record);
        }
        expect(swept.map(summary).sort()).toEqual(flushed.map(summary).sort());
      }),
      { numRuns: 25 },
    );
  });
});
