import {
  isoTime,
  parseTriggerJson,
  type StorageEventTriggerJson,
  withTriggerInput,
} from '../core/jobs/trigger-payload.js';
import { InvalidTriggerError, MissingTriggerError } from './errors.js';
import { type EmptyInput, Task } from './task.js';
import {
  type BatchTrigger,
  type CronTrigger,
  decodeTrigger,
  encodeTrigger,
  type StorageEventTrigger,
  storageEventTrigger,
  type Trigger,
  type TriggerEnvironment,
  type TriggerStorage,
} from './triggers.js';

const BASE_NAMES: Readonly<Record<Trigger['kind'], string>> = {
  cron: 'CronTask',
  storage: 'StorageEventTask',
  batch: 'BatchTask',
};

const AUTOMATION_NAMES: Readonly<Record<Trigger['kind'], string>> = {
  cron: 'a cron automation',
  storage: 'a storage event automation',
  batch: 'a batch automation',
};

/**
 * Base of the tasks an automation submits: the task carries the trigger that
 * caused its job (`this.trigger`). An automation adds the trigger to each job
 * it submits; to submit one by hand, attach a trigger with `once(...)`, which
 * returns a copy. Submitting one without a trigger throws
 * {@link MissingTriggerError}. The trigger is stored in the input under
 * `__trigger` (see `TRIGGER_INPUT_KEY`), so the input must be an object.
 */
export abstract class TriggerTask<Input extends object, T extends Trigger> extends Task<Input> {
  #trigger: T | undefined;

  /** Which kind of trigger this task takes. */
  protected abstract readonly triggerKind: T['kind'];

  /** The trigger of this run. Throws {@link MissingTriggerError} on a task without one. */
  get trigger(): T {
    if (this.#trigger === undefined) throw this.missingTrigger('trigger');
    return this.#trigger;
  }

  /** Whether a trigger is attached (by `once()` or by the runner). */
  get hasTrigger(): boolean {
    return this.#trigger !== undefined;
  }

  override assertSubmittable(field = 'task'): void {
    if (this.#trigger === undefined) throw this.missingTrigger(field);
  }

  /**
   * Attaches a stored trigger (from the task input or the job record); used
   * by runners. Throws {@link InvalidTriggerError} when it is malformed or of
   * another kind.
   */
  attachTrigger(
    stored: unknown,
    environment?: TriggerEnvironment,
    field = 'input.__trigger',
  ): this {
    if (stored === undefined) throw this.missingTrigger(field);
    const json = parseTriggerJson(stored, field);
    if (json.kind !== this.triggerKind) {
      throw new InvalidTriggerError(
        `${field}.kind`,
        `is '${json.kind}', but ${this.constructor.name} is a ${BASE_NAMES[this.triggerKind]}`,
        `submit it with a ${this.triggerKind} trigger`,
      );
    }
    this.#trigger = decodeTrigger(json, environment) as T;
    return this;
  }

  protected override specInput(): unknown {
    return withTriggerInput(this.input, encodeTrigger(this.trigger));
  }

  /** A copy of this task (same class, same input) with `trigger` attached. */
  protected withTrigger(trigger: T): this {
    const Class = this.constructor as new (input: Input) => this;
    const copy = new Class(this.input);
    copy.#trigger = trigger;
    return copy;
  }

  private missingTrigger(field: string): MissingTriggerError {
    const base = BASE_NAMES[this.triggerKind];
    return new MissingTriggerError(
      field,
      `${base} '${this.constructor.name}' cannot be submitted or run without a trigger`,
      `call task.once(...) for a manual run, or register the task with ${AUTOMATION_NAMES[this.triggerKind]}`,
    );
  }
}

/** Arguments of {@link CronTask.once}. */
export interface CronOnceOptions {
  /** @default now */
  readonly fireTime?: Date | string | number | undefined;
  /** @default null (a manual run) */
  readonly expression?: string | undefined;
  /** IANA time zone. @default 'UTC' */
  readonly timezone?: string | undefined;
}

/**
 * A task run by a cron automation; `this.trigger` says which fire time
 * submitted it.
 *
 * @example
 * ```ts
 * class Report extends CronTask<{ recipient: string }> {
 *   execute(context: ExecutionContext) {
 *     context.logger.info(`report for ${this.trigger.fireTime.toISOString()}`);
 *   }
 * }
 * await client.jobs.submit('manual-report', new Report({ recipient: 'ops' }).once(new Date('2030-01-01T00:00Z')));
 * ```
 */
export abstract class CronTask<Input extends object = EmptyInput> extends TriggerTask<
  Input,
  CronTrigger
> {
  protected readonly triggerKind = 'cron' as const;

  /**
   * A copy with a cron trigger for a manual run. The fire time only sets
   * `trigger.fireTime`; the task runs as soon as a runner takes it.
   */
  once(options: Date | string | number | CronOnceOptions = {}): this {
    const given: CronOnceOptions =
      options instanceof Date || typeof options !== 'object' ? { fireTime: options } : options;
    const timezone = given.timezone ?? 'UTC';
    if (!isTimeZone(timezone)) {
      throw new InvalidTriggerError(
        'once.timezone',
        `${JSON.stringify(timezone)} is not an IANA time zone`,
        "use e.g. 'Europe/Berlin' or 'UTC'",
      );
    }
    const expression = given.expression ?? null;
    if (expression !== null && (typeof expression !== 'string' || expression.trim() === '')) {
      throw new InvalidTriggerError('once.expression', 'must be a non-empty string when given');
    }
    const fireTime = new Date(isoTime(given.fireTime ?? new Date(), 'once.fireTime'));
    return this.withTrigger(Object.freeze({ kind: 'cron', fireTime, expression, timezone }));
  }
}

/** Event details for {@link StorageEventTask.once}; all optional. */
export interface StorageEventOnceOptions {
  /** @default 'created' */
  readonly type?: 'created' | 'deleted' | undefined;
  /** @default the bucket of an `s3://bucket` location, else the location itself */
  readonly bucket?: string | undefined;
  readonly size?: number | undefined;
  readonly etag?: string | undefined;
  readonly sequencer?: string | undefined;
  /** @default now */
  readonly eventTime?: Date | string | number | undefined;
  /** A client for reading the object when the task runs in this process (tests, local runs). */
  readonly storage?: TriggerStorage | undefined;
}

/**
 * A task run for each matching object event of a storage event automation;
 * `this.trigger` describes the event and `this.trigger.storage` reads objects
 * of its location.
 *
 * @example
 * ```ts
 * class LogCreation extends StorageEventTask<{ headBytes: number }> {
 *   async execute(context: ExecutionContext) {
 *     const data = await this.trigger.storage.read(this.trigger.key);
 *     context.logger.info(`${this.trigger.key}: ${data.byteLength} bytes`);
 *   }
 * }
 * const task = new LogCreation({ headBytes: 20 }).once('s3://my-bucket', 'incoming/a.txt');
 * ```
 */
export abstract class StorageEventTask<Input extends object = EmptyInput> extends TriggerTask<
  Input,
  StorageEventTrigger
> {
  protected readonly triggerKind = 'storage' as const;

  /** A copy with a storage event trigger for the object `key` of `location`, for a manual run. */
  once(location: string, key: string, event: StorageEventOnceOptions = {}): this {
    const json = parseTriggerJson(
      {
        kind: 'storage',
        type: event.type ?? 'created',
        location,
        bucket: event.bucket ?? bucketOf(location),
        key,
        size: event.size,
        etag: event.etag,
        sequencer: event.sequencer,
        eventTime: isoTime(event.eventTime ?? new Date(), 'once.eventTime'),
      },
      'once',
    ) as StorageEventTriggerJson;
    return this.withTrigger(storageEventTrigger(json, event.storage));
  }
}

/** Arguments of {@link BatchTask.once}. */
export interface BatchOnceOptions {
  readonly bucket: string;
  readonly keys: readonly string[];
  /** @default '' */
  readonly prefix?: string | undefined;
  /** @default `manual-<first event time>` */
  readonly batchId?: string | undefined;
  /** @default now */
  readonly firstEventAt?: Date | string | number | undefined;
  /** @default firstEventAt */
  readonly lastEventAt?: Date | string | number | undefined;
}

/**
 * A task run for each closed batch of a batch automation; `this.trigger`
 * describes the batch under one prefix, and `this.trigger.members()` reads
 * its keys in order, the same way for 3 keys as for 10,000 (a batch too
 * large for a task input is read from the batches table, page by page).
 *
 * @example
 * ```ts
 * class PackageObjects extends BatchTask {
 *   async execute(context: ExecutionContext) {
 *     for await (const key of this.trigger.members()) context.logger.info(`packaging ${key}`);
 *     context.logger.info(`${this.trigger.count} objects under ${this.trigger.prefix}`);
 *   }
 * }
 * new PackageObjects().once({ bucket: 'my-bucket', prefix: 'runs/7/', keys: ['runs/7/a.csv'] });
 * ```
 */
export abstract class BatchTask<Input extends object = EmptyInput> extends TriggerTask<
  Input,
  BatchTrigger
> {
  protected readonly triggerKind = 'batch' as const;

  /** A copy with a batch trigger for a manual run; `count` is the number of keys, `reason` 'manual'. */
  once(batch: BatchOnceOptions): this {
    const firstEventAt = isoTime(batch.firstEventAt ?? new Date(), 'once.firstEventAt');
    const lastEventAt = isoTime(batch.lastEventAt ?? firstEventAt, 'once.lastEventAt');
    const json = parseTriggerJson(
      {
        kind: 'batch',
        batchId: batch.batchId ?? `manual-${firstEventAt}`,
        bucket: batch.bucket,
        prefix: batch.prefix ?? '',
        count: Array.isArray(batch.keys) ? batch.keys.length : 0,
        reason: 'manual',
        members: { location: 'inline' },
        keys: batch.keys,
        firstEventAt,
        lastEventAt,
      },
      'once',
    );
    return this.withTrigger(decodeTrigger(json) as BatchTrigger);
  }
}

function bucketOf(location: string): string {
  const match = typeof location === 'string' ? /^s3:\/\/([^/]+)/.exec(location) : null;
  return match?.[1] ?? location;
}

function isTimeZone(zone: unknown): boolean {
  if (typeof zone !== 'string' || zone === '') return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}
