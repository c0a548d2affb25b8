import {
  DeleteMessageCommand,
  GetQueueUrlCommand,
  ReceiveMessageCommand,
} from '@aws-sdk/client-sqs';
import { beforeAll, describe, expect, it } from 'vitest';
import { taskQueueName } from '../../../lambdas/adapters/aws/queues/task-queue-names.js';
import type { MiddlewareHost } from '../../../lambdas/adapters/aws/request-accounting.js';
import { mapConcurrent } from '../../../lambdas/core/collections.js';
import { taskIdentifier } from '../../../lambdas/core/jobs/task-identifier.js';
import { taskRouteOf } from '../../../lambdas/core/jobs/task-routing.js';
import { RECONCILE_LIMIT } from '../../../lambdas/core/services/reconcile-service.js';
import { createTaskReconcileHandler } from '../../../lambdas/handlers/task-reconcile.js';
import { testClock } from '../../support/test-clock.js';
import { createTestRuntime, type TestRuntime } from '../support/handler-runtime.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const clock = testClock('2026-11-23T06:00:00Z');

/** Every SendMessageBatch entry's task id and the test-clock time it was sent at. */
function recordSends(env: TestRuntime): Array<{ taskId: string; at: number }> {
  const sends: Array<{ taskId: string; at: number }> = [];
  (env.clients.sqs as unknown as MiddlewareHost).middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName === 'SendMessageBatchCommand') {
        const input = args.input as { Entries?: Array<{ MessageBody?: string }> };
        for (const entry of input.Entries ?? []) {
          sends.push({ taskId: JSON.parse(entry.MessageBody ?? '{}').taskId, at: clock() });
        }
      }
      return next(args);
    },
    { step: 'initialize', name: 'recordSends' },
  );
  return sends;
}

describe('task-reconcile', () => {
  let env: TestRuntime;
  let sends: Array<{ taskId: string; at: number }>;

  beforeAll(async () => {
    env = await createTestRuntime({ clock });
    sends = recordSends(env);
  });

  /** Runs reconcile until a run finds no more due work (each run is bounded), at the current time. */
  async function reconcileAll(): Promise<{ runs: number; resent: number; waiting: number }> {
    const reconcile = createTaskReconcileHandler(env.runtime);
    let runs = 0;
    let resent = 0;
    let waiting = 0;
    for (;;) {
      const result = await reconcile();
      runs++;
      resent += result.resent;
      waiting += result.waiting;
      if (result.resent + result.waiting + result.expired + result.resumed < RECONCILE_LIMIT) break;
    }
    return { runs, resent, waiting };
  }

  it('sends each of 5,000 queued tasks without a runner at most once per hour', async () => {
    // Prepare: 5,000 root tasks of one route, sent once, on a cluster no runner polls.
    const identifier = taskIdentifier('NobodyRunsThis', 'v1.0');
    const jobs = Array.from({ length: 79 }, (_, job) =>
      Array.from({ length: job < 78 ? 64 : 8 }, (_, index) => ({
        identifier,
        input: { job, index },
        cluster: 'idle',
      })),
    );
    const submitted = await mapConcurrent(jobs, 8, (roots) =>
      env.runtime.deps.jobs.submit({ name: 'waiting', roots }),
    );
    const tasks = submitted.flatMap((result) => result.runnable);
    await env.runtime.deps.taskQueue.send(tasks);
    const start = clock();

    // Act: reconcile for two hours, every five minutes.
    const looks = [];
    for (let at = start + MINUTE + 1; at <= start + 2 * HOUR; at += 5 * MINUTE) {
      clock.set(at);
      looks.push(await reconcileAll());
    }

    // Assess
    expect(tasks).toHaveLength(5_000);
    const perTask = new Map<string, number[]>();
    for (const send of sends)
      perTask.set(send.taskId, [...(perTask.get(send.taskId) ?? []), send.at]);
    const mostInAnHour = Math.max(
      ...[...perTask.values()].map((times) =>
        Math.max(...times.map((t) => times.filter((u) => u >= t && u < t + HOUR).length)),
      ),
    );
    expect(mostInAnHour).toBeLessThanOrEqual(1);
    expect(looks.reduce((sum, look) => sum + look.resent, 0)).toBe(0);
    // Every task was looked at once an hour (at 1 and 61 minutes), each run within its bound.
    expect(looks.reduce((sum, look) => sum + look.waiting, 0)).toBe(2 * 5_000);
    expect(Math.max(...looks.map((look) => look.runs))).toBe(
      Math.ceil(5_000 / RECONCILE_LIMIT) + 1,
    );
  }, 400_000);

  it('sends a task again when its message was lost, then leaves it waiting', async () => {
    // Prepare: one task whose only message someone deleted.
    const identifier = taskIdentifier('LostMessage', 'v1.0');
    const { runnable } = await env.runtime.deps.jobs.submit({
      name: 'lost',
      root: { identifier, input: {}, cluster: 'lossy' },
    });
    await env.runtime.deps.taskQueue.send(runnable);
    const route = taskRouteOf('lossy', identifier);
    const { QueueUrl } = await env.clients.sqs.send(
      new GetQueueUrlCommand({ QueueName: taskQueueName(route, env.config.taskQueuePrefix) }),
    );
    const { Messages = [] } = await env.clients.sqs.send(
      new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 1 }),
    );
    for (const message of Messages) {
      await env.clients.sqs.send(
        new DeleteMessageCommand({ QueueUrl, ReceiptHandle: message.ReceiptHandle }),
      );
    }
    const before = sends.length;

    // Act
    clock.advance(MINUTE + 1);
    const first = await reconcileAll();
    clock.advance(5 * MINUTE);
    const second = await reconcileAll();

    // Assess: re-sent at the first look; the next look finds its message in the queue.
    expect(Messages).toHaveLength(1);
    expect(first.resent).toBe(1);
    expect(second.resent).toBe(0);
    expect(sends.slice(before).map((send) => send.taskId)).toEqual([runnable[0]?.taskId]);
  });
});
