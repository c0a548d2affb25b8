import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { DynamoDbDeliveryLedger } from '../../../lambdas/adapters/aws/batch-store/dynamodb-delivery-ledger.js';
import { ensureTable } from '../../../lambdas/adapters/aws/dynamodb/table-definition.js';
import { batchesTable } from '../../../lambdas/adapters/aws/dynamodb/tables/batches-table.js';
import type { ObjectEvent } from '../../../lambdas/core/events/object-event.js';
import { admitDeliveries } from '../../../lambdas/core/services/delivery-gate.js';
import { testClock } from '../../support/test-clock.js';
import { localClients, uniqueName } from '../support/local-aws.js';

const clock = testClock('2026-11-23T10:00:00Z');

describe('DynamoDbDeliveryLedger', () => {
  const clients = localClients();
  let ledger: DynamoDbDeliveryLedger;

  beforeAll(async () => {
    const tableName = uniqueName('ledger');
    await ensureTable(clients.dynamodb, batchesTable, tableName);
    ledger = new DynamoDbDeliveryLedger({ client: clients.dynamodb, tableName });
  });

  it('records a version for its first owner, lets that owner again and calls another a duplicate', async () => {
    // Prepare
    const claim = (owner: string) => ({ bucket: 'b', key: 'a.txt', version: 'e1', owner });

    // Act
    const first = await ledger.claim([claim('evt-1')], clock());
    const again = await ledger.claim([claim('evt-1')], clock());
    const other = await ledger.claim([claim('evt-2')], clock());
    const newer = await ledger.claim([{ ...claim('evt-3'), version: 'e2' }], clock());

    // Assess
    expect([first, again, other, newer]).toEqual([['new'], ['retry'], ['duplicate'], ['new']]);
  });

  it('gives a version to exactly one of many concurrent owners', async () => {
    // Prepare
    const owners = Array.from({ length: 12 }, (_, index) => `evt-${index}`);

    // Act
    const outcomes = await Promise.all(
      owners.map((owner) =>
        ledger.claim([{ bucket: 'b', key: 'race.txt', version: 'e1', owner }], clock()),
      ),
    );

    // Assess
    const flat = outcomes.flat();
    expect(flat.filter((outcome) => outcome === 'new')).toHaveLength(1);
    expect(flat.filter((outcome) => outcome === 'duplicate')).toHaveLength(owners.length - 1);
  });

  it('finds which of many listed versions were delivered, keys of up to 1,024 bytes included', async () => {
    // Prepare
    const long = `${'d/'.repeat(300)}${'x'.repeat(1024 - 600 - 4)}.txt`;
    const delivered = [...Array.from({ length: 150 }, (_, index) => `k${index}.txt`), long];
    await ledger.claim(
      delivered.map((key) => ({ bucket: 'lookup', key, version: 'v1', owner: 'evt' })),
      clock(),
    );
    const listed = [
      ...delivered.map((key) => ({ key, version: 'v1' })),
      { key: 'k0.txt', version: 'v2' },
      { key: 'never.txt', version: 'v1' },
    ];

    // Act
    const recorded = await ledger.recorded('lookup', listed);

    // Assess
    expect(Buffer.byteLength(long)).toBe(1024);
    expect([...recorded].sort()).toEqual([...delivered].sort());
  });

  it('admits every object version through exactly one delivery, whatever the order and overlap', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ object: fc.nat(5), version: fc.nat(2), owner: fc.nat(4) }), {
          minLength: 1,
          maxLength: 30,
        }),
        fc.integer({ min: 1, max: 6 }),
        async (deliveries, chunkSize) => {
          // Prepare
          const bucket = uniqueName('prop');
          const events: ObjectEvent[] = deliveries.map((delivery, index) => ({
            type: 'created',
            bucket,
            key: `k${delivery.object}.txt`,
            time: clock(),
            etag: `"e${delivery.version}"`,
            eventId: `evt-${delivery.object}-${delivery.version}-${delivery.owner}`,
            deliveryId: `msg-${index}`,
          }));
          const chunks: ObjectEvent[][] = [];
          for (let start = 0; start < events.length; start += chunkSize) {
            chunks.push(events.slice(start, start + chunkSize));
          }

          // Act
          const results = await Promise.all(
            chunks.map((chunk) => admitDeliveries(ledger, chunk, clock())),
          );

          // Assess
          const admitted = results.flatMap((result) => result.events);
          expect(results.every((result) => result.failedDeliveryIds.size === 0)).toBe(true);
          const ownersPerVersion = new Map<string, Set<string>>();
          for (const event of admitted) {
            const version = `${event.key}@${event.etag}`;
            const owners = ownersPerVersion.get(version) ?? new Set<string>();
            owners.add(event.eventId ?? '');
            ownersPerVersion.set(version, owners);
          }
          const versions = new Set(events.map((event) => `${event.key}@${event.etag}`));
          expect(ownersPerVersion.size).toBe(versions.size);
          for (const owners of ownersPerVersion.values()) expect(owners.size).toBe(1);
          const winners = new Set([...ownersPerVersion.values()].flatMap((owners) => [...owners]));
          for (const event of events) {
            expect(admitted.includes(event)).toBe(winners.has(event.eventId ?? ''));
          }
        },
      ),
      { numRuns: 15 },
    );
  });
});
