import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  decodeTaskMessage,
  delaySecondsUntil,
  encodeTaskMessage,
  SQS_MAX_DELAY_SECONDS,
} from '../../../lambdas/adapters/aws/queues/task-messages.js';
import {
  deadLetterQueueName,
  maxClusterSlugLength,
  SQS_QUEUE_NAME_MAX,
  taskQueueName,
  validateQueuePrefix,
} from '../../../lambdas/adapters/aws/queues/task-queue-names.js';
import { taskIdentifier } from '../../../lambdas/core/jobs/task-identifier.js';
import { taskRouteOf } from '../../../lambdas/core/jobs/task-routing.js';
import { InvalidTaskMessageError } from '../../../lambdas/core/ports/task-queue.js';

const QUEUE_NAME = /^[A-Za-z0-9_-]{1,80}$/;

describe('taskQueueName', () => {
  it('names a route after its cluster, task name and major version, with a hash of the route', () => {
    // Act
    const name = taskQueueName({ cluster: 'gpu', taskName: 'thumbnails/Resize', versionMajor: 1 });

    // Assess
    expect(name).toMatch(/^bucketflow-tasks-gpu_thumbnails-Resize_v1_[0-9a-f]{10}$/);
    expect(deadLetterQueueName('gpu')).toBe('bucketflow-tasks-gpu-dlq');
  });

  it('gives every distinct route a distinct valid SQS name, whatever the task name', () => {
    // Prepare
    const route = fc.record({
      cluster: fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9_-]{0,58}$/),
      taskName: fc.string({ minLength: 1, maxLength: 256 }),
      versionMajor: fc.nat({ max: 10_000 }),
    });

    // Act and Assess
    fc.assert(
      fc.property(
        route,
        route,
        fc.constantFrom('bucketflow-tasks-', 'p-', 'x'.repeat(68)),
        (longA, longB, prefix) => {
          // Cluster slugs are bounded so that their DLQ names fit too.
          const bounded = (route: typeof longA) => ({
            ...route,
            cluster: route.cluster.slice(0, maxClusterSlugLength(prefix)),
          });
          const [a, b] = [bounded(longA), bounded(longB)];
          const nameA = taskQueueName(a, prefix);
          expect(nameA).toMatch(QUEUE_NAME);
          expect(nameA.length).toBeLessThanOrEqual(SQS_QUEUE_NAME_MAX);
          expect(nameA.endsWith('-dlq')).toBe(false);
          const same =
            a.cluster === b.cluster &&
            a.taskName === b.taskName &&
            a.versionMajor === b.versionMajor;
          expect(taskQueueName(b, prefix) === nameA).toBe(same);
        },
      ),
    );
  });

  it('accepts a cluster whose DLQ name is exactly 80 characters and refuses one more', () => {
    // Prepare
    const longest = 'c'.repeat(80 - 'bucketflow-tasks-'.length - '-dlq'.length);

    // Act
    const name = deadLetterQueueName(longest);
    const tooLong = () => deadLetterQueueName(`${longest}c`);

    // Assess
    expect(name).toHaveLength(80);
    expect(tooLong).toThrow(
      /exceed the 80-character SQS limit \(use a slug of at most 59 characters\)/,
    );
  });

  it('refuses characters SQS queue names do not allow', () => {
    // Act and Assess
    expect(() => deadLetterQueueName('gpu.large')).toThrow(/^cluster: "gpu.large" cannot be part/);
    expect(() => validateQueuePrefix('tasks/')).toThrow(/^prefix: "tasks\/" must be letters/);
    expect(() => validateQueuePrefix('p'.repeat(69))).toThrow(/leaves too little/);
  });
});

describe('encodeTaskMessage', () => {
  const route = taskRouteOf('gpu', taskIdentifier('Resize', 'v2.3'));

  it('round-trips ids, attempt, version and hand-offs through a small JSON body', () => {
    // Prepare
    const ids = fc.string({ minLength: 1, maxLength: 40 });

    // Act and Assess
    fc.assert(
      fc.property(
        ids,
        ids,
        fc.integer({ min: 1, max: 1000 }),
        fc.nat({ max: 99 }),
        fc.nat({ max: 5 }),
        (jobId, taskId, attempt, minor, handOffs) => {
          const message = {
            jobId,
            taskId,
            attempt,
            cluster: 'gpu',
            identifier: taskIdentifier('Resize', `v2.${minor}`),
            ...(handOffs > 0 ? { handOffs } : {}),
          };
          expect(decodeTaskMessage(encodeTaskMessage(message), route)).toEqual(message);
        },
      ),
    );
  });

  it('leaves the cluster, the task name and backoff out of the body', () => {
    // Act
    const body = encodeTaskMessage({
      jobId: 'j',
      taskId: 't',
      attempt: 2,
      cluster: 'gpu',
      identifier: taskIdentifier('Resize', 'v2.3'),
      notBefore: 5,
    });

    // Assess
    expect(body).toBe('{"jobId":"j","taskId":"t","attempt":2,"version":"v2.3"}');
  });

  it('refuses a message without ids or with a bad attempt', () => {
    // Prepare
    const identifier = taskIdentifier('Resize', 'v2.3');

    // Act and Assess
    expect(() =>
      encodeTaskMessage({ jobId: '', taskId: 't', attempt: 1, cluster: 'c', identifier }),
    ).toThrow(/^jobId: must be a non-empty string/);
    expect(() =>
      encodeTaskMessage({ jobId: 'j', taskId: 't', attempt: 0, cluster: 'c', identifier }),
    ).toThrow(/^attempt: must be an integer >= 1, got 0/);
  });

  it('refuses a body that is not a task message of the queue it came from', () => {
    // Act and Assess
    for (const body of [
      'not json',
      '{}',
      '{"jobId":"j","taskId":"t","attempt":"1","version":"v2.0"}',
      '{"jobId":"j","taskId":"t","attempt":1}',
      '{"jobId":"j","taskId":"t","attempt":1,"version":"v3.0"}',
      undefined,
    ]) {
      expect(() => decodeTaskMessage(body, route)).toThrow(InvalidTaskMessageError);
    }
  });
});

describe('delaySecondsUntil', () => {
  it('rounds up to whole seconds, is 0 when due, and never exceeds the SQS maximum', () => {
    // Act and Assess
    expect(delaySecondsUntil(undefined, 1000)).toBe(0);
    expect(delaySecondsUntil(0, 1000)).toBe(0);
    expect(delaySecondsUntil(1001, 1000)).toBe(1);
    expect(delaySecondsUntil(61_500, 0)).toBe(62);
    expect(delaySecondsUntil(3_600_000, 0)).toBe(SQS_MAX_DELAY_SECONDS);
    fc.assert(
      fc.property(fc.integer(), fc.integer({ min: 0, max: 2 ** 45 }), (notBefore, now) => {
        const delay = delaySecondsUntil(notBefore, now);
        expect(delay).toBeGreaterThanOrEqual(0);
        expect(delay).toBeLessThanOrEqual(SQS_MAX_DELAY_SECONDS);
      }),
    );
  });
});
