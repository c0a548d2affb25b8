import type { BatchMembers } from '../core/batching/batch-members.js';
import type {
  BatchTriggerJson,
  CronTriggerJson,
  StorageEventTriggerJson,
  TriggerJson,
} from '../core/jobs/trigger-payload.js';
import type { BatchStore } from '../core/ports/batch-store.js';
import { MissingTriggerError } from './errors.js';

/**
 * Read access to the storage location a storage event came from. Runners
 * adapt the object storage port of the location into this; tests pass a fake.
 */
export interface TriggerStorage {
  /** The object's bytes. Rejects when the key does not exist. */
  read(key: string): Promise<Uint8Array>;
}

/**
 * Reads the members of a batch whose keys travel by reference: pages of
 * keys in order. Runners adapt the batch store of their deployment into this.
 */
export type BatchMembersReader = (
  members: Extract<BatchMembers, { location: 'dynamodb' }>,
) => AsyncIterable<readonly string[]>;

/**
 * Reads members by reference from a batch store (the deployment's batches
 * table; a reference names the table it was written to, which is the
 * store's own in any one deployment).
 *
 * @example
 * ```ts
 * const environment = { batchMembers: batchMembersReader(new DynamoDbBatchStore({ client, tableName })) };
 * ```
 */
export function batchMembersReader(batches: Pick<BatchStore, 'memberPages'>): BatchMembersReader {
  return (members) => batches.memberPages(members.batchId);
}

/** What a runner supplies to turn stored triggers into live ones. */
export interface TriggerEnvironment {
  /** A storage client for a trigger's `location` (an `s3://bucket` URL or a local folder). */
  readonly storage?: ((location: string) => TriggerStorage) | undefined;
  /** Reads the members of large batches from the batches table. */
  readonly batchMembers?: BatchMembersReader | undefined;
}

/** The cron fire that submitted a job: its stored form with the time as a Date. */
export interface CronTrigger extends Omit<CronTriggerJson, 'fireTime'> {
  /** The scheduled fire time (not when the task runs). */
  readonly fireTime: Date;
}

/** The object event that submitted a job, with a client to read the object. Size and ETag are absent for deletions. */
export interface StorageEventTrigger extends Omit<StorageEventTriggerJson, 'eventTime'> {
  readonly eventTime: Date;
  /** Reads objects of `location`; throws when the runner attached none. */
  readonly storage: TriggerStorage;
}

/**
 * The closed batch that submitted a job: its stored form with the times as
 * Dates, and its members read the same way whatever their number.
 */
export interface BatchTrigger
  extends Omit<BatchTriggerJson, 'firstEventAt' | 'lastEventAt' | 'keys' | 'members'> {
  readonly firstEventAt: Date;
  readonly lastEventAt: Date;
  /**
   * The member keys in order, one per counted event (`count` of them): from
   * the trigger itself for a small batch, page by page from the batches
   * table for one too large for a task input.
   *
   * @example
   * ```ts
   * for await (const key of this.trigger.members()) await packageObject(key);
   * ```
   */
  members(): AsyncIterable<string>;
  /** Where the keys come from: `inline`, or the batches table (`dynamodb`). */
  readonly membersAt: BatchMembers;
}

/** Any live trigger. */
export type Trigger = CronTrigger | StorageEventTrigger | BatchTrigger;

/**
 * Turns a stored trigger (checked by `parseTriggerJson`) into a live one:
 * times become Dates, and a storage event gets the storage client the
 * environment provides for its location (or one that explains it is missing).
 *
 * @example
 * ```ts
 * const trigger = decodeTrigger(parseTriggerJson(json), { storage: (location) => storageFor(location) });
 * if (trigger.kind === 'storage') await trigger.storage.read(trigger.key);
 * ```
 */
export function decodeTrigger(json: TriggerJson, environment: TriggerEnvironment = {}): Trigger {
  switch (json.kind) {
    case 'cron':
      return Object.freeze({ ...json, fireTime: new Date(json.fireTime) });
    case 'storage': {
      const storage = environment.storage?.(json.location);
      return storageEventTrigger(json, storage);
    }
    case 'batch':
      return batchTrigger(json, environment.batchMembers);
  }
}

/** The keys of inline batch triggers, for encoding them again without reading `members()`. */
const inlineKeys = new WeakMap<BatchTrigger, readonly string[]>();

function batchTrigger(
  json: BatchTriggerJson,
  reader: BatchMembersReader | undefined,
): BatchTrigger {
  const { keys = [], members, firstEventAt, lastEventAt, ...fields } = json;
  const inline = Object.freeze([...keys]);
  const trigger: BatchTrigger = Object.freeze({
    ...fields,
    firstEventAt: new Date(firstEventAt),
    lastEventAt: new Date(lastEventAt),
    membersAt: members,
    members: async function* (): AsyncGenerator<string> {
      if (members.location === 'inline') {
        yield* inline;
        return;
      }
      if (reader === undefined) {
        throw new MissingTriggerError(
          'trigger.members',
          `the ${fields.count} members of batch ${fields.batchId} are in the batches table, and this runner has no reader for it`,
          "runners made by client.runner() read it; give the client the connection's batches table",
        );
      }
      for await (const page of reader(members)) yield* page;
    },
  });
  inlineKeys.set(trigger, inline);
  return trigger;
}

/**
 * The stored form of a live trigger: Dates as ISO strings, the storage client
 * left out, undefined fields omitted.
 *
 * @example
 * ```ts
 * encodeTrigger({ kind: 'cron', fireTime: new Date(0), expression: null, timezone: 'UTC' }).fireTime;
 * // '1970-01-01T00:00:00.000Z'
 * ```
 */
export function encodeTrigger(trigger: Trigger): TriggerJson {
  switch (trigger.kind) {
    case 'cron': {
      const json: CronTriggerJson = {
        kind: 'cron',
        fireTime: trigger.fireTime.toISOString(),
        expression: trigger.expression,
        timezone: trigger.timezone,
      };
      return json;
    }
    case 'storage': {
      const json: StorageEventTriggerJson = {
        kind: 'storage',
        type: trigger.type,
        location: trigger.location,
        bucket: trigger.bucket,
        key: trigger.key,
        ...definedOnly({ size: trigger.size, etag: trigger.etag, sequencer: trigger.sequencer }),
        eventTime: trigger.eventTime.toISOString(),
      };
      return json;
    }
    case 'batch':
      return encodeBatchTrigger(trigger);
  }
}

function encodeBatchTrigger(trigger: BatchTrigger): BatchTriggerJson {
  const base = {
    kind: 'batch' as const,
    batchId: trigger.batchId,
    bucket: trigger.bucket,
    prefix: trigger.prefix,
    count: trigger.count,
    reason: trigger.reason,
    members: trigger.membersAt,
    firstEventAt: trigger.firstEventAt.toISOString(),
    lastEventAt: trigger.lastEventAt.toISOString(),
  };
  return trigger.membersAt.location === 'inline'
    ? { ...base, keys: [...(inlineKeys.get(trigger) ?? [])] }
    : base;
}

/**
 * A live storage event trigger. Without a client, reading `storage` throws a
 * {@link MissingTriggerError} that says how to attach one, instead of a
 * TypeError deep in user code.
 */
export function storageEventTrigger(
  json: StorageEventTriggerJson,
  storage: TriggerStorage | undefined,
): StorageEventTrigger {
  const { kind, type, location, bucket, key, size, etag, sequencer } = json;
  const fields = { kind, type, location, bucket, key, ...definedOnly({ size, etag, sequencer }) };
  return Object.freeze(
    Object.defineProperties(
      { ...fields, eventTime: new Date(json.eventTime) },
      {
        storage: {
          enumerable: false,
          get(): TriggerStorage {
            if (storage) return storage;
            throw new MissingTriggerError(
              'trigger.storage',
              `no storage client is attached for location ${JSON.stringify(location)}`,
              'runners attach one from their storage configuration; for a local run pass { storage } to once()',
            );
          },
        },
      },
    ) as StorageEventTrigger,
  );
}

function definedOnly<T extends Record<string, unknown>>(fields: T): Partial<T> {
  return Object.fromEntries(
    Object.entries(fields).filter(([, value]) => value !== undefined),
  ) as Partial<T>;
}
