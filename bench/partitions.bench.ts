import { DEFAULT_BATCH_SHARDS } from '../lambdas/adapters/aws/batch-store/dynamodb-batch-store.js';
import { groupHash, openQueue } from '../lambdas/adapters/aws/batch-store/items.js';
import {
  DEFAULT_CREATED_SHARDS,
  DEFAULT_DUE_SHARDS,
} from '../lambdas/adapters/aws/job-store/dynamodb-job-store.js';
import { createdDay, dueAttributes, jobPk } from '../lambdas/adapters/aws/job-store/items.js';
import { encodeUlid } from '../lambdas/core/jobs/ulid.js';
import { type BenchSection, fmt, seeded } from './harness.js';

/** What one DynamoDB partition sustains (AWS: 1,000 write units per second). */
const PARTITION_WU_PER_SECOND = 1_000;
const SIMULATED_SECONDS = 5;
const T0 = Date.parse('2025-01-15T12:00:00Z');

/** Write units per second per partition (table or index partition). */
class PartitionLoad {
  readonly #units = new Map<string, number>();
  add(partition: string, units: number): void {
    this.#units.set(partition, (this.#units.get(partition) ?? 0) + units);
  }
  hottest(seconds: number): { partition: string; wuPerSecond: number; share: number } {
    let total = 0;
    let top: [string, number] = ['', 0];
    for (const entry of this.#units) {
      total += entry[1];
      if (entry[1] > top[1]) top = entry;
    }
    return { partition: top[0], wuPerSecond: top[1] / seconds, share: top[1] / total };
  }
}

/**
 * Single-task jobs submitted with an idempotency key, claimed and completed,
 * at `rate` per second, with the store's real key functions. Per job (AWS
 * billing, transactions twice): submit Tx(idempotency record, job item with
 * its root) enters `byCreatedDay` and `byDue` (2 WU each); the claim moves
 * its due entry (delete + put, 1 WU each) and updates the job item; the
 * completion updates the job item and removes the due entry (1 WU).
 */
function jobSubmissions(rate: number): PartitionLoad {
  const load = new PartitionLoad();
  const random = seeded(13);
  const bytes = () => Uint8Array.from({ length: 10 }, () => Math.floor(random() * 256));
  const keys = { createdShards: DEFAULT_CREATED_SHARDS, dueShards: DEFAULT_DUE_SHARDS };
  for (let i = 0; i < rate * SIMULATED_SECONDS; i++) {
    const now = T0 + Math.floor((i / rate) * 1000);
    const jobId = encodeUlid(now, bytes());
    load.add(`table:IDEMPOTENCY#${i}`, 2);
    load.add(`table:${jobPk(jobId)}`, 2 + 1 + 1);
    load.add(`byCreatedDay:${createdDay(keys, jobId, now)}`, 2);
    load.add(`byDue:${dueAttributes(keys, jobId, now).dueShard}`, 2 + 2 + 1);
  }
  return load;
}

/**
 * Events for a batch automation at `rate` per second over `prefixes`
 * prefixes, in ingest invocations of 1,000: per invocation and prefix one
 * dedupe update (1 WU per 100 events and KB), one header update (1 WU) that
 * moves its open-batch index entry (2 WU), and member items (1 WU per 2 KB of
 * keys, in the batch's partition).
 */
function batchEvents(rate: number, prefixes: number): PartitionLoad {
  const load = new PartitionLoad();
  const random = seeded(11);
  const invocations = (rate * SIMULATED_SECONDS) / 1_000;
  for (let call = 0; call < invocations; call++) {
    const perPrefix = new Map<number, number>();
    for (let e = 0; e < 1_000; e++) {
      const prefix = Math.floor(random() * prefixes);
      perPrefix.set(prefix, (perPrefix.get(prefix) ?? 0) + 1);
    }
    for (const [prefix, events] of perPrefix) {
      const hash = groupHash({ automationId: 'a', bucket: 'b', prefix: `p${prefix}/` });
      load.add(`table:G#${hash}`, Math.ceil(events / 100) * 2 + 1);
      load.add(`byDue:${openQueue(hash, DEFAULT_BATCH_SHARDS)}`, 2);
      load.add(`table:B#${hash}`, Math.ceil((events * 100) / 2048));
    }
  }
  return load;
}

/** The hottest partition of each load, against the 1,000 WU/s a partition sustains. */
export async function run(): Promise<BenchSection[]> {
  const cases = [
    { name: '10,000 job submissions/s', load: jobSubmissions(10_000) },
    { name: '100,000 events/s, batch automation, 100 prefixes', load: batchEvents(100_000, 100) },
    { name: '100,000 events/s, batch automation, 10 prefixes', load: batchEvents(100_000, 10) },
  ];
  const rows = cases.map(({ name, load }) => {
    const hot = load.hottest(SIMULATED_SECONDS);
    return {
      case: name,
      'hottest partition': hot.partition.replace(/#[^#]*$/, '#…'),
      'WU/s': fmt(hot.wuPerSecond),
      share: `${fmt(hot.share * 100, 2)} %`,
    };
  });
  return [
    {
      title: `Partition heat: simulated key distribution over ${SIMULATED_SECONDS} s`,
      rows,
      checks: cases.map(({ name, load }) => {
        const hot = load.hottest(SIMULATED_SECONDS);
        return {
          name: `${name}: hottest partition at most ${fmt(PARTITION_WU_PER_SECOND)} WU/s`,
          pass: hot.wuPerSecond <= PARTITION_WU_PER_SECOND,
          detail: `${fmt(hot.wuPerSecond)} WU/s (${hot.partition})`,
        };
      }),
      notes: [
        `shards: by-creation ${DEFAULT_CREATED_SHARDS} per day, due index ${DEFAULT_DUE_SHARDS}, open batches ${DEFAULT_BATCH_SHARDS}; transactional writes counted twice, as AWS bills them`,
        'one prefix with every event caps at the item limit: its header takes one update per invocation (100/s), its dedupe items 1 per 100 events',
      ],
    },
  ];
}
