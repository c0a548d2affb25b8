import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AwsClients } from '../../../lambdas/adapters/aws/aws-clients.js';
import { destroyAwsClients } from '../../../lambdas/adapters/aws/aws-clients.js';
import { objectCreatedEvent } from '../../support/s3-event-factories.js';
import { testClock } from '../../support/test-clock.js';
import {
  type Actor,
  DeterministicIo,
  seededBytes,
  seededRandom,
} from '../support/deterministic-io.js';
import { keyString } from '../support/dynamodb-faults.js';
import { localClients, uniqueName } from '../support/local-aws.js';
import { type ActorSpec, IngestQueue, type Scenario, scenario } from './batch-scenario.js';
import {
  type BatchTables,
  batchJobs,
  createBatchTables,
  createBatchWorld,
  plainStore,
} from './batch-world.js';

/**
 * The batch invariants of docs/data-model/automations-batches.md, proven on
 * the local servers: random objects delivered by random SQS messages (copies
 * with other message ids, the same message received twice, redeliveries after
 * failures, poison messages that fail every receive until the DLQ), ingest
 * lag up to 10 minutes, ingest and sweep invocations running concurrently
 * (one DynamoDB request at a time, interleaved by the seed), and a fault
 * before or after any DynamoDB request of any invocation (dedupe read, header
 * write, member and close transaction, job submit, dispatch mark), in
 * publishing, or in the acknowledgement. After the queue drains and the sweep
 * has run, every object is a member of exactly one batch, every batch is
 * dispatched once with exactly its members, and nothing is lost.
 *
 * Reproduce a failure with the seed it prints:
 * `BATCH_PROPERTY_SEED=<seed> npx vitest run --project integration test/integration/batches/batch-invariants.property.test.ts`
 * (`BATCH_PROPERTY_PATH=<path>` replays the failing case alone, `BATCH_PROPERTY_RUNS` sets the number of cases, `BATCH_PROPERTY_SHRINK=1` shrinks).
 */

const T0 = Date.parse('2026-03-01T12:00:00Z');
const RUNS = Number(process.env.BATCH_PROPERTY_RUNS ?? 200);
const SEED = process.env.BATCH_PROPERTY_SEED ? Number(process.env.BATCH_PROPERTY_SEED) : undefined;
/** With the seed, replays the failing case alone (the path the failure prints). */
const PATH = process.env.BATCH_PROPERTY_PATH;
let requestsSent = 0;

describe('batch invariants (property, local servers)', () => {
  const clock = testClock(T0);
  let tables: BatchTables;
  let gated: AwsClients;

  beforeAll(async () => {
    tables = await createBatchTables(clock);
    gated = localClients();
  });

  afterAll(() => {
    destroyAwsClients(gated);
    destroyAwsClients(tables.plain);
  });

  it(
    `holds for ${RUNS} random histories of deliveries, faults, lag and concurrency`,
    async () => {
      const started = Date.now();
      const parameters: fc.Parameters<[Scenario]> = {
        numRuns: RUNS,
        endOnFailure: process.env.BATCH_PROPERTY_SHRINK !== '1',
        ...(SEED === undefined ? {} : { seed: SEED }),
        ...(PATH === undefined ? {} : { path: PATH }),
        reporter: (details) => {
          if (!details.failed) return;
          const cause = details.errorInstance;
          throw new Error(
            `batch invariants failed (seed ${details.seed}, path ${details.counterexamplePath}); ` +
              `reproduce with BATCH_PROPERTY_SEED=${details.seed} BATCH_PROPERTY_PATH=${details.counterexamplePath}\n` +
              `${fc.defaultReportMessage(details) ?? ''}\n` +
              `${cause instanceof Error ? (cause.stack ?? cause.message) : String(cause)}`,
            { cause },
          );
        },
      };
      await fc.assert(
        fc.asyncProperty(scenario, (drawn) => runScenario(tables, gated, clock, drawn)),
        parameters,
      );
      console.log(
        `batch invariants: ${RUNS} cases in ${((Date.now() - started) / 1000).toFixed(1)} s, ` +
          `${Math.round(requestsSent / RUNS)} scheduled DynamoDB requests per case`,
      );
    },
    30 * 60_000,
  );
});

async function runScenario(
  tables: BatchTables,
  gated: AwsClients,
  clock: ReturnType<typeof testClock>,
  drawn: Scenario,
): Promise<void> {
  // Prepare
  const start = clock();
  const random = seededRandom(drawn.ioSeed);
  // Every closed record a committed write created, seen on the wire, independent of dispatch.
  const closedIds = new Set<string>();
  const io = new DeterministicIo(random, (operation, input) => {
    if (operation !== 'TransactWriteItems') return;
    for (const entry of (input.TransactItems ?? []) as Array<{
      Put?: { Item?: Record<string, unknown> };
    }>) {
      const pk = keyString(entry.Put?.Item?.pk);
      if (keyString(entry.Put?.Item?.sk) === 'HEAD' && pk?.startsWith('B#'))
        closedIds.add(pk.slice(2));
    }
  });
  io.attach(gated.dynamodb);
  const automation = await tables.automations.create({
    name: uniqueName('property'),
    task: { identifier: { name: 'PackageBatch' }, input: {} },
    triggers: {
      batch: {
        location: tables.location,
        prefixDepth: 1,
        count: drawn.count,
        quietSeconds: drawn.quietS,
        ...(drawn.maxAgeS === undefined ? {} : { maxAgeSeconds: drawn.quietS + drawn.maxAgeS }),
        ...(drawn.marker === 'none'
          ? {}
          : { marker: '_SUCCESS', markerIsMember: drawn.marker === 'member' }),
        emitEvent: true,
        submitJob: true,
      },
    },
  });
  let publishFault: (when: 'before' | 'after') => void = () => {};
  const world = createBatchWorld(tables, {
    clock,
    client: gated.dynamodb,
    automations: [automation],
    actor: () => io.current()?.name,
    onPublish: (when) => publishFault(when),
    randomBytes: seededBytes(random),
    sleep: io.sleep,
    // One partition per sweep queue: the sweep reads each with a Query, and shards change no rule.
    shards: 1,
  });
  const publishFaults = new Map<string, 'before' | 'after'>();
  /** Invocations that failed somewhere: only they may leave a published batch unmarked. */
  const faulted = new Set<string>();
  publishFault = (when) => {
    const name = io.current()?.name;
    if (name !== undefined && publishFaults.get(name) === when) {
      publishFaults.delete(name);
      faulted.add(name);
      throw new Error(`injected publish fault ${when} PutEvents`);
    }
  };
  const queue = new IngestQueue(clock);
  // A long prefix leaves the header little room, so keys and fingerprints move to member and
  // dedupe records after a few events, and duplicates are found there.
  const folder = (prefix: number) => `p${prefix}${'x'.repeat(drawn.prefixPad)}`;
  const objects = drawn.objects.map((spec, index) => {
    const key = spec.isMarker
      ? `${folder(spec.prefix)}/${index}/_SUCCESS`
      : `${folder(spec.prefix)}/o${index}.csv`;
    const time = start + spec.offsetS * 1000;
    const body = JSON.stringify(
      objectCreatedEvent({
        bucket: tables.bucket,
        key,
        sequencer: `00${index.toString(16).padStart(14, '0')}`,
        time: new Date(Math.floor(time / 1000) * 1000).toISOString(),
      }),
    );
    for (let copy = 0; copy <= spec.copies; copy++) {
      queue.messages.push({
        id: `m-${index}-${copy}`,
        body,
        visibleAt: time + spec.lagS * 1000,
        receives: 0,
        holders: 0,
        poison: false,
        state: 'queued',
      });
    }
    return { key, isMarker: spec.isMarker };
  });
  for (const index of drawn.poison) {
    const message = queue.messages[index % queue.messages.length];
    if (message) message.poison = true;
  }
  let actors = 0;
  const runActor = async (spec: ActorSpec | undefined): Promise<void> => {
    const name = `${spec?.kind ?? 'drain'}-${actors++}`;
    const state: Actor = { name, fault: spec?.fault, requests: 0, faulted: false, log: [] };
    if (spec?.publishFault) publishFaults.set(name, spec.publishFault);
    await io.run(state, async () => {
      if (spec?.kind === 'sweep') {
        await world.sweep().catch(() => undefined);
        if (state.faulted) faulted.add(name);
        return;
      }
      const received = queue.receive(spec?.batchSize ?? 10, spec?.duplicate ?? false);
      if (received.length === 0) return;
      const event = { Records: received.map((m) => ({ messageId: m.id, body: m.body })) };
      const response = await world.ingest(event).catch(() => undefined);
      const crashed = response === undefined || (state.faulted && spec?.fault?.mode === 'crash');
      if (state.faulted) faulted.add(name);
      const failed = new Set(response?.batchItemFailures.map((f) => f.itemIdentifier));
      for (const message of received) {
        const ok = !crashed && !spec?.ackLost && !failed.has(message.id) && !message.poison;
        queue.settle(message, ok);
      }
    });
  };

  // Act
  for (const round of drawn.rounds) {
    await Promise.all(round.actors.map((spec) => runActor(spec)));
    clock.advance(round.advanceS * 1000);
  }
  queue.redrive();
  for (let pass = 0; pass < 100 && queue.pending > 0; pass++) {
    // Wait for the next message to become visible, as the queue's consumers do.
    clock.set(Math.max(clock(), queue.nextVisibleAt()));
    await runActor(undefined);
    queue.redrive();
  }
  const store = plainStore(tables);
  for (let pass = 0; pass < 8; pass++) {
    clock.advance(2 * 3_600_000);
    await runActor({
      kind: 'sweep',
      batchSize: 0,
      duplicate: false,
      fault: undefined,
      publishFault: undefined,
      ackLost: false,
    });
    const waiting = (await store.listUndispatched(1000)).filter(
      (b) => b.automationId === automation.id,
    );
    const open = await Promise.all(
      [0, 1, 2].map((p) => store.findOpen(automation.id, tables.bucket, `${folder(p)}/`)),
    );
    if (waiting.length === 0 && open.every((batch) => batch === undefined)) break;
  }

  // Assess
  requestsSent += io.sent;
  if (process.env.BATCH_PROPERTY_DEBUG) {
    console.log(
      JSON.stringify(
        {
          messages: queue.messages.map(({ body: _b, ...m }) => m),
          published: world.published.map((p) => [p.by, p.batch.batchId, p.batch.keys]),
        },
        null,
        1,
      ),
    );
    console.log(JSON.stringify([...closedIds]));
    console.log(
      JSON.stringify(
        await Promise.all(
          [0, 1, 2].map((p) => store.findOpen(automation.id, tables.bucket, `${folder(p)}/`)),
        ),
      ),
    );
  }
  expect(queue.pending).toBe(0);
  const records = await Promise.all([...closedIds].map((id) => store.findClosed(id)));
  const batches = records.flatMap((record) => (record ? [record] : []));
  expect(batches).toHaveLength(closedIds.size);
  const members = new Map<string, string[]>();
  for (const batch of batches) members.set(batch.batchId, await store.readMembers(batch.batchId));
  // Every distinct created object is a member of exactly one batch, exactly once.
  const expected = objects
    .filter((o) => !(o.isMarker && drawn.marker === 'control'))
    .map((o) => o.key);
  expect([...members.values()].flat().sort()).toEqual(expected.sort());
  const jobs = await batchJobs(tables, automation.id, {
    from: start - 3_600_000,
    to: clock() + 3_600_000,
  });
  for (const batch of batches) {
    const keys = members.get(batch.batchId) ?? [];
    // count == members, and no batch beyond its threshold (a marker closes below it).
    expect(batch.count).toBe(keys.length);
    expect(batch.count).toBeLessThanOrEqual(drawn.count);
    if (batch.reason === 'count') expect(batch.count).toBe(drawn.count);
    // Dispatched: exactly one job with exactly its members ...
    expect(batch.dispatchedAt).toBeDefined();
    expect(jobs.get(batch.batchId)).toEqual({ jobs: 1, count: batch.count, members: keys });
    // ... and its event, again only when a publisher died before marking the batch dispatched.
    const events = world.published.filter((p) => p.batch.batchId === batch.batchId);
    expect(events.length).toBeGreaterThanOrEqual(1);
    for (const { batch: ready } of events) {
      expect(ready.count).toBe(batch.count);
      if (ready.keys !== undefined) expect(ready.keys).toEqual(keys);
    }
    for (const earlier of events.slice(0, -1)) expect(faulted).toContain(earlier.by);
  }
  expect(new Set(batches.map((b) => b.batchId)).size).toBe(batches.length);
  expect(jobs.size).toBe(batches.length);
}
