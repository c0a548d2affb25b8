import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  parseTriggerJson,
  splitTriggerInput,
  TRIGGER_INPUT_KEY,
  type TriggerJson,
} from '../../../lambdas/core/jobs/trigger-payload.js';
import { InvalidTriggerError, MissingTriggerError } from '../../../lambdas/sdk/errors.js';
import { BatchTask, CronTask, StorageEventTask } from '../../../lambdas/sdk/trigger-tasks.js';
import { decodeTrigger, encodeTrigger } from '../../../lambdas/sdk/triggers.js';

/** Every item of an async iterable (Array.fromAsync needs Node 22). */
async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const all: T[] = [];
  for await (const item of items) all.push(item);
  return all;
}

class Report extends CronTask<{ recipient: string }> {
  execute(): void {}
}

class LogCreation extends StorageEventTask<{ headBytes: number }> {
  execute(): void {}
}

class PackageObjects extends BatchTask {
  execute(): void {}
}

describe('CronTask', () => {
  it('cannot be submitted without a trigger and says to call once()', () => {
    // Prepare
    const task = new Report({ recipient: 'ops' });

    // Act
    const act = () => task.toSpec();

    // Assess
    expect(act).toThrow(MissingTriggerError);
    expect(act).toThrow(
      "task: CronTask 'Report' cannot be submitted or run without a trigger (call task.once(...) for a manual run, or register the task with a cron automation)",
    );
    expect(() => task.assertSubmittable('subtasks[0]')).toThrow('subtasks[0]: CronTask');
    expect(() => task.trigger).toThrow(MissingTriggerError);
  });

  it('once() returns a triggered copy and leaves the prototype untouched', () => {
    // Prepare
    const prototype = new Report({ recipient: 'ops' });
    const fireTime = new Date('2030-12-12T15:15:00Z');

    // Act
    const triggered = prototype.once(fireTime);

    // Assess
    expect(triggered).toBeInstanceOf(Report);
    expect(triggered).not.toBe(prototype);
    expect(prototype.hasTrigger).toBe(false);
    expect(triggered.trigger).toEqual({
      kind: 'cron',
      fireTime,
      expression: null,
      timezone: 'UTC',
    });
  });

  it('stores the trigger in the input under __trigger', () => {
    // Act
    const spec = new Report({ recipient: 'ops' })
      .once({ fireTime: '2030-01-01T00:00:00Z', expression: '0 * * * *', timezone: 'Asia/Tokyo' })
      .toSpec();

    // Assess
    expect(spec.input).toEqual({
      recipient: 'ops',
      [TRIGGER_INPUT_KEY]: {
        kind: 'cron',
        fireTime: '2030-01-01T00:00:00.000Z',
        expression: '0 * * * *',
        timezone: 'Asia/Tokyo',
      },
    });
  });

  it('defaults the fire time to now', () => {
    // Prepare
    const before = Date.now();

    // Act
    const fireTime = new Report({ recipient: 'x' }).once().trigger.fireTime.getTime();

    // Assess
    expect(fireTime).toBeGreaterThanOrEqual(before);
    expect(fireTime).toBeLessThanOrEqual(Date.now());
  });

  it.each([
    [{ timezone: 'Mars/Olympus' }, 'once.timezone: "Mars/Olympus" is not an IANA time zone'],
    [{ fireTime: 'yesterday' }, 'once.fireTime: must be a Date, an ISO 8601 time string'],
    [{ expression: ' ' }, 'once.expression: must be a non-empty string'],
  ])('once(%o) is rejected', (options, message) => {
    expect(() => new Report({ recipient: 'x' }).once(options)).toThrow(message);
  });

  it('keeps a prototype spec without a trigger for automations', () => {
    expect(new Report({ recipient: 'ops' }).toPrototypeSpec().input).toEqual({ recipient: 'ops' });
  });

  it('rejects an input that uses the reserved __trigger field', () => {
    // Prepare
    class Sneaky extends CronTask<{ __trigger: string }> {
      execute(): void {}
    }

    // Act
    const act = () => new Sneaky({ __trigger: 'x' }).once(0).toSpec();

    // Assess
    expect(act).toThrow('input.__trigger: is reserved for the trigger of a trigger task');
  });
});

describe('StorageEventTask', () => {
  it('cannot be submitted without a trigger', () => {
    expect(() => new LogCreation({ headBytes: 20 }).toSpec()).toThrow(
      "StorageEventTask 'LogCreation' cannot be submitted or run without a trigger",
    );
  });

  it('once(location, key) builds a created event with the bucket of the location', () => {
    // Act
    const task = new LogCreation({ headBytes: 20 }).once('s3://photos/raw', 'a/b.jpg', {
      size: 12,
      etag: 'abc',
      eventTime: 0,
    });

    // Assess
    expect({ ...task.trigger }).toEqual({
      kind: 'storage',
      type: 'created',
      location: 's3://photos/raw',
      bucket: 'photos',
      key: 'a/b.jpg',
      size: 12,
      etag: 'abc',
      eventTime: new Date(0),
    });
  });

  it('reads through the storage client given to once()', async () => {
    // Prepare
    const storage = { read: async (key: string) => new TextEncoder().encode(`data of ${key}`) };
    const task = new LogCreation({ headBytes: 4 }).once('/srv/inbox', 'x.txt', { storage });

    // Act
    const bytes = await task.trigger.storage.read(task.trigger.key);

    // Assess
    expect(new TextDecoder().decode(bytes)).toBe('data of x.txt');
    expect(task.trigger.bucket).toBe('/srv/inbox');
  });

  it('explains a missing storage client instead of failing with a TypeError', () => {
    // Prepare
    const task = new LogCreation({ headBytes: 4 }).once('s3://b', 'k');

    // Act
    const act = () => task.trigger.storage;

    // Assess
    expect(act).toThrow(MissingTriggerError);
    expect(act).toThrow('trigger.storage: no storage client is attached for location "s3://b"');
  });

  it('rejects an empty key', () => {
    expect(() => new LogCreation({ headBytes: 1 }).once('s3://b', '')).toThrow(
      'once.key: must be a non-empty string',
    );
  });
});

describe('BatchTask', () => {
  it('cannot be submitted without a trigger', () => {
    expect(() => new PackageObjects().toSpec()).toThrow(MissingTriggerError);
  });

  it('once() counts the keys and marks the batch as manual', async () => {
    // Act
    const trigger = new PackageObjects().once({
      bucket: 'lab',
      prefix: 'runs/7/',
      keys: ['runs/7/a.csv', 'runs/7/b.csv'],
      firstEventAt: '2030-01-01T00:00:00Z',
    }).trigger;

    // Assess
    const { members, ...fields } = trigger;
    expect(fields).toEqual({
      kind: 'batch',
      batchId: 'manual-2030-01-01T00:00:00.000Z',
      bucket: 'lab',
      prefix: 'runs/7/',
      count: 2,
      reason: 'manual',
      membersAt: { location: 'inline' },
      firstEventAt: new Date('2030-01-01T00:00:00Z'),
      lastEventAt: new Date('2030-01-01T00:00:00Z'),
    });
    expect(await collect(trigger.members())).toEqual(['runs/7/a.csv', 'runs/7/b.csv']);
  });

  it("reads the members of a batch by reference through the runner's reader, in order", async () => {
    // Prepare
    const json = {
      kind: 'batch',
      batchId: '01JNB7Q4W8ZK3M5T2V9XG6H1CD',
      bucket: 'lab',
      prefix: 'runs/8/',
      count: 3,
      reason: 'count',
      members: { location: 'dynamodb', batchId: '01JNB7Q4W8ZK3M5T2V9XG6H1CD', table: 't' },
      firstEventAt: '2030-01-01T00:00:00Z',
      lastEventAt: '2030-01-01T00:01:00Z',
    };
    const asked: unknown[] = [];
    const task = new PackageObjects().attachTrigger(
      { ...json },
      {
        batchMembers: async function* (members) {
          asked.push(members);
          yield ['runs/8/a', 'runs/8/b'];
          yield ['runs/8/c'];
        },
      },
    );

    // Act
    const keys = await collect(task.trigger.members());

    // Assess
    expect(keys).toEqual(['runs/8/a', 'runs/8/b', 'runs/8/c']);
    expect(asked).toEqual([json.members]);
    expect(encodeTrigger(task.trigger)).toEqual(parseTriggerJson(json));
  });

  it('explains that a runner without a batches table cannot read members by reference', async () => {
    // Prepare
    const task = new PackageObjects().attachTrigger({
      kind: 'batch',
      batchId: 'b1',
      bucket: 'lab',
      prefix: '',
      count: 5000,
      reason: 'count',
      members: { location: 'dynamodb', batchId: 'b1' },
      firstEventAt: '2030-01-01T00:00:00Z',
      lastEventAt: '2030-01-01T00:00:00Z',
    });

    // Act
    const reading = collect(task.trigger.members());

    // Assess
    await expect(reading).rejects.toThrow(
      /^trigger\.members: the 5000 members of batch b1 are in the batches table, and this runner has no reader for it/,
    );
  });

  it('rejects keys that are not strings', () => {
    expect(() =>
      new PackageObjects().once({ bucket: 'b', keys: [1] as unknown as string[] }),
    ).toThrow('once.keys: must be an array of strings');
  });
});

describe('parseTriggerJson', () => {
  const time = fc
    .integer({ min: 0, max: 4_102_444_800_000 })
    .map((ms) => new Date(ms).toISOString());
  const text = fc.string({ minLength: 1, maxLength: 20 });
  const trigger: fc.Arbitrary<TriggerJson> = fc.oneof(
    fc.record({
      kind: fc.constant('cron' as const),
      fireTime: time,
      expression: fc.option(text, { nil: null }),
      timezone: text,
    }),
    fc.record(
      {
        kind: fc.constant('storage' as const),
        type: fc.constantFrom('created' as const, 'deleted' as const),
        location: text,
        bucket: text,
        key: text,
        size: fc.nat(),
        etag: fc.string(),
        sequencer: text,
        eventTime: time,
      },
      { requiredKeys: ['kind', 'type', 'location', 'bucket', 'key', 'eventTime'] },
    ),
    fc.record({
      kind: fc.constant('batch' as const),
      batchId: text,
      bucket: text,
      prefix: fc.string(),
      count: fc.nat(),
      reason: fc.constantFrom(
        'count' as const,
        'quiet' as const,
        'max-age' as const,
        'marker' as const,
        'manual' as const,
      ),
      members: fc.constant({ location: 'inline' as const }),
      keys: fc.array(fc.string()),
      firstEventAt: time,
      lastEventAt: time,
    }),
    fc.record({
      kind: fc.constant('batch' as const),
      batchId: text,
      bucket: text,
      prefix: fc.string(),
      count: fc.nat(),
      reason: fc.constantFrom('count' as const, 'quiet' as const),
      members: fc.record(
        { location: fc.constant('dynamodb' as const), batchId: text, table: text },
        { requiredKeys: ['location', 'batchId'] },
      ),
      firstEventAt: time,
      lastEventAt: time,
    }),
  );

  it('round-trips every trigger through JSON, decoding and encoding', () => {
    fc.assert(
      fc.property(trigger, (json) => {
        // Act
        const parsed = parseTriggerJson(JSON.parse(JSON.stringify(json)));
        const again = encodeTrigger(decodeTrigger(parsed));

        // Assess
        expect(JSON.parse(JSON.stringify(again))).toEqual(JSON.parse(JSON.stringify(json)));
      }),
    );
  });

  it.each([
    [{ kind: 'webhook' }, 'trigger.kind: "webhook" is not a trigger kind'],
    [{ kind: 'cron', fireTime: 5 }, 'trigger.fireTime: must be an ISO 8601 time string, got 5'],
    [[], 'trigger: must be a plain JSON object, got an array'],
    [
      { kind: 'batch', batchId: 'b', bucket: 'x', prefix: '', count: -1 },
      'trigger.count: must be an integer >= 0, got -1',
    ],
  ])('rejects %o', (value, message) => {
    // Act
    const act = () => parseTriggerJson(value);

    // Assess
    expect(act).toThrow(InvalidTriggerError);
    expect(act).toThrow(message);
  });

  it('splits a stored input into fields and trigger', () => {
    expect(splitTriggerInput({ a: 1, [TRIGGER_INPUT_KEY]: { kind: 'cron' } })).toEqual({
      input: { a: 1 },
      trigger: { kind: 'cron' },
    });
  });
});
