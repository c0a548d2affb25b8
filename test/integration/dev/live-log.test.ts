import { describe, expect, it } from 'vitest';
import { objectEvent } from '../../../bin/dev/folder-watcher.js';
import { LiveLog } from '../../../bin/dev/live-log.js';
import type { StoredTask } from '../../../lambdas/core/ports/job-store.js';

const NOON = new Date(2026, 10, 23, 12, 0, 1).getTime();

function capture() {
  const lines: string[] = [];
  const followed: string[] = [];
  const log = new LiveLog({ write: (text) => lines.push(text.trimEnd()), clock: () => NOON });
  log.follow({
    jobs: {
      getTask: async () =>
        ({ display: 'demo/a.txt: 3 words', identifier: { name: 'WordCount' } }) as StoredTask,
    },
    onJobSubmitted: (jobId) => followed.push(`submitted ${jobId}`),
    onTaskFinished: (jobId) => followed.push(`finished ${jobId}`),
  });
  return { log, lines, followed };
}

describe('LiveLog', () => {
  it('prints one readable line per event, submission, closed batch and cron fire', () => {
    // Prepare
    const { log, lines, followed } = capture();

    // Act
    log.objectEvent(
      objectEvent('inbox', 'a.txt', 'created', { size: 5, mtimeMs: 1 }, NOON),
      'folder',
    );
    log.serviceEvent({
      type: 'job-submitted',
      automation: 'word-count',
      jobId: 'J1',
      created: true,
      cause: 'inbox/a.txt',
    });
    log.serviceEvent({
      type: 'batch-closed',
      automation: 'runs',
      batch: {
        batchId: 'B1',
        automationId: 'A1',
        bucket: 'demo',
        prefix: 'runs/r1/',
        count: 5,
        firstEventAt: NOON,
        lastEventAt: NOON,
        writtenAt: NOON,
        keyBytes: 60,
        attempts: 0,
        reason: 'count',
        closedAt: NOON,
      },
    });
    log.serviceEvent({
      type: 'job-submitted',
      automation: 'heartbeat',
      jobId: 'J2',
      created: true,
      cause: `cron * * * * * at ${new Date(2026, 10, 23, 12, 1).toISOString()}`,
    });

    // Assess
    expect(lines).toEqual([
      '12:00:01 event   inbox/a.txt (ObjectCreated, 5 B, folder)',
      '12:00:01         → automation word-count matched → job J1 submitted',
      '12:00:01 batch   closed demo/runs/r1/ count 5 (count) [runs]',
      '12:00:01 cron    heartbeat fired 12:01 → job J2 submitted',
    ]);
    expect(followed).toEqual(['submitted J1', 'submitted J2']);
  });

  it('prints a finished task with its duration and display, and the task’s own log lines', async () => {
    // Prepare
    const { log, lines, followed } = capture();

    // Act
    log.runnerRecord({
      level: 'info',
      message: 'counted',
      time: NOON,
      fields: { jobId: 'J1', taskId: 'T1', attempt: 1, words: 3 },
    });
    log.runnerRecord({
      level: 'info',
      message: 'task finished',
      time: NOON,
      fields: {
        runnerId: 'r',
        jobId: 'J1',
        taskId: 'T1',
        identifier: 'WordCount@v1.0',
        outcome: 'computed',
        durationMs: 12,
      },
    });
    await new Promise((resolve) => setTimeout(resolve, 10));

    // Assess
    expect(lines).toEqual([
      '12:00:01 log     counted words=3',
      '12:00:01 task    WordCount@v1.0 done in 12 ms: demo/a.txt: 3 words',
    ]);
    expect(followed).toEqual(['finished J1']);
  });
});
