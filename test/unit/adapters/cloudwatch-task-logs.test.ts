import { FilterLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { describe, expect, it } from 'vitest';
import {
  readCloudWatchTaskLogs,
  taskFilterPattern,
} from '../../../lambdas/adapters/aws/logs/cloudwatch-task-logs.js';

/** CloudWatch Logs has no local server: a stand-in for `send` serving pages per log group. */
function fakeLogs(pages: Record<string, { message: string; timestamp: number }[][]>) {
  const calls: FilterLogEventsCommand['input'][] = [];
  return {
    calls,
    client: {
      send: async (command: unknown) => {
        if (!(command instanceof FilterLogEventsCommand)) throw new Error('unexpected command');
        calls.push(command.input);
        const group = pages[command.input.logGroupName ?? ''] ?? [];
        const index = Number(command.input.nextToken ?? 0);
        const next = index + 1 < group.length ? String(index + 1) : undefined;
        return { events: group[index] ?? [], nextToken: next };
      },
    } as never,
  };
}

const line = (fields: Record<string, unknown>) =>
  JSON.stringify({ service: 'bucketflow', sampling_rate: 0, ...fields });

describe('readCloudWatchTaskLogs', () => {
  it("reads every page of every runner log group with the job's filter, merged in time order", async () => {
    // Prepare
    const { client, calls } = fakeLogs({
      '/runner/a': [
        [
          {
            message: line({
              level: 'INFO',
              message: 'task started',
              timestamp: '2030-01-01T00:00:01.000Z',
              jobId: 'J1',
              taskId: 'T1',
              attempt: 1,
            }),
            timestamp: 1,
          },
        ],
        [
          {
            message: line({
              level: 'WARN',
              message: 'task finished',
              timestamp: '2030-01-01T00:00:03.000Z',
              jobId: 'J1',
              taskId: 'T1',
              attempt: 1,
              state: 'FAILED',
            }),
            timestamp: 3,
          },
        ],
      ],
      '/runner/b': [
        [
          {
            message: line({
              level: 'INFO',
              message: 'tiles written',
              timestamp: '2030-01-01T00:00:02.000Z',
              jobId: 'J1',
              taskId: 'T1',
              attempt: 1,
              tiles: 4,
            }),
            timestamp: 2,
          },
          { message: 'START RequestId: 1 Version: $LATEST', timestamp: 2 },
        ],
      ],
    });

    // Act
    const records = await readCloudWatchTaskLogs(
      { jobId: 'J1' },
      { client, logGroups: ['/runner/a', '/runner/b'], startTime: 1000 },
    );

    // Assess
    expect(records.map((record) => [record.level, record.message])).toEqual([
      ['info', 'task started'],
      ['info', 'tiles written'],
      ['warn', 'task finished'],
    ]);
    expect(records[1]?.fields).toEqual({ jobId: 'J1', taskId: 'T1', attempt: 1, tiles: 4 });
    expect(records[0]?.time).toBe(Date.parse('2030-01-01T00:00:01.000Z'));
    expect(calls).toEqual([
      { logGroupName: '/runner/a', filterPattern: '{ $.jobId = "J1" }', startTime: 1000 },
      {
        logGroupName: '/runner/a',
        filterPattern: '{ $.jobId = "J1" }',
        startTime: 1000,
        nextToken: '1',
      },
      { logGroupName: '/runner/b', filterPattern: '{ $.jobId = "J1" }', startTime: 1000 },
    ]);
  });

  it('filters on the task too, and refuses an id that would break the pattern', () => {
    // Act and Assess
    expect(taskFilterPattern({ jobId: 'J1', taskId: 'T-2' })).toBe(
      '{ $.jobId = "J1" && $.taskId = "T-2" }',
    );
    expect(() => taskFilterPattern({ jobId: 'J1" || $.x = "y' })).toThrow(/job id/);
  });
});
