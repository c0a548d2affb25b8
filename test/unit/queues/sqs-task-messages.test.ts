import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  decodeTaskMessage,
  delaySecondsUntil,
  encodeTaskMessage,
  SQS_MAX_DELAY_SECONDS,
  taskQueueNames,
  validateQueuePrefix,
} from '../../../lambdas/adapters/aws/sqs-task-messages.js';
import { InvalidTaskMessageError } from '../../../lambdas/core/ports/task-queue-errors.js';

describe('taskQueueNames', () => {
  it('names the queue and its DLQ from the prefix and the cluster', () => {
    // Act
    const names = taskQueueNames('gpu');

    // Assess
    expect(names).toEqual({
      queue: 'bucketflow-tasks-gpu',
      deadLetterQueue: 'bucketflow-tasks-gpu-dlq',
    });
  });

  it('accepts a cluster whose DLQ name is exactly 80 characters and refuses one more', () => {
    // Prepare
    const longest = 'c'.repeat(80 - 'bucketflow-tasks-'.length - '-dlq'.length);

    // Act
    const names = taskQueueNames(longest);
    const tooLong = () => taskQueueNames(`${longest}c`);

    // Assess
    expect(names.deadLetterQueue).toHaveLength(80);
    expect(tooLong).toThrow(
      /exceed the 80-character SQS limit \(use a slug of at most 59 characters\)/,
    );
  });

  it('refuses characters SQS queue names do not allow', () => {
    // Act and Assess
    expect(() => taskQueueNames('gpu.large')).toThrow(/^cluster: "gpu.large" cannot be part/);
    expect(() => validateQueuePrefix('tasks/')).toThrow(/^prefix: "tasks\/" must be letters/);
    expect(() => validateQueuePrefix('p'.repeat(69))).toThrow(/leaves too little/);
  });
});

describe('encodeTaskMessage', () => {
  it('round-trips jobId, taskId and attempt through a small JSON body', () => {
    // Prepare
    const ids = fc.string({ minLength: 1, maxLength: 40 });

    // Act and Assess
    fc.assert(
      fc.property(ids, ids, fc.integer({ min: 1, max: 1000 }), (jobId, taskId, attempt) => {
        const message = { jobId, taskId, attempt, cluster: 'gpu' };
        expect(decodeTaskMessage(encodeTaskMessage(message), 'gpu')).toEqual(message);
      }),
    );
  });

  it('leaves the cluster and backoff out of the body', () => {
    // Act
    const body = encodeTaskMessage({
      jobId: 'j',
      taskId: 't',
      attempt: 2,
      cluster: 'gpu',
      notBefore: 5,
    });

    // Assess
    expect(body).toBe('{"jobId":"j","taskId":"t","attempt":2}');
  });

  it('refuses a message without ids or with a bad attempt', () => {
    // Act and Assess
    expect(() => encodeTaskMessage({ jobId: '', taskId: 't', attempt: 1, cluster: 'c' })).toThrow(
      /^jobId: must be a non-empty string/,
    );
    expect(() => encodeTaskMessage({ jobId: 'j', taskId: 't', attempt: 0, cluster: 'c' })).toThrow(
      /^attempt: must be an integer >= 1, got 0/,
    );
  });

  it('refuses a body that is not a task message', () => {
    // Act and Assess
    for (const body of ['not json', '{}', '{"jobId":"j","taskId":"t","attempt":"1"}', undefined]) {
      expect(() => decodeTaskMessage(body, 'gpu')).toThrow(InvalidTaskMessageError);
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
