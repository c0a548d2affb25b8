import { describe, expect, it } from 'vitest';
import { formatJob, formatJobTreeText } from '../../../bin/commands/job-format.js';
import { EMPTY_TASK_COUNTS } from '../../../lambdas/core/jobs/job-counts.js';
import type { StoredJob, StoredTask } from '../../../lambdas/core/ports/job-store.js';

const job: StoredJob = {
  jobId: '01JOB',
  name: 'orphan',
  state: 'QUEUED',
  cancelled: false,
  started: false,
  rootTaskIds: ['01JOB'],
  cluster: 'gpu',
  taskCount: 1,
  counts: { ...EMPTY_TASK_COUNTS, QUEUED: 1 },
  createdAt: Date.UTC(2026, 0, 2, 3, 4, 5),
  updatedAt: Date.UTC(2026, 0, 2, 3, 4, 5),
};

describe('formatJob', () => {
  it('adds a waiting line per queued task, saying why no runner takes it', () => {
    // Act
    const text = formatJob(job, [
      {
        taskId: '01JOB',
        identifier: { name: 'Resize', version: 'v1.5' },
        cluster: 'gpu',
        problem: 'no runner on cluster gpu registered Resize@v1.x',
      },
      { taskId: '01TASK', identifier: { name: 'Thumb', version: 'v0.0' }, cluster: 'gpu' },
    ]);

    // Assess
    expect(text.split('\n').filter((line) => line.startsWith('waiting:'))).toEqual([
      'waiting:     Resize@v1.5 (task 01JOB) on gpu: no runner on cluster gpu registered Resize@v1.x',
      'waiting:     Thumb@v0.0 (task 01TASK) on gpu: queued for a registered runner',
    ]);
    expect(text).toContain('submitted:   2026-01-02T03:04:05Z\n');
  });
});

describe('formatJobTreeText', () => {
  it('keeps each task on one line, showing the line breaks of its display as ⏎', () => {
    // Prepare
    const task: StoredTask = {
      jobId: '01JOB',
      taskId: '01JOB',
      parentId: null,
      identifier: { name: 'Resize', version: 'v1.0' },
      inputJson: '{}',
      display: 'Tile 7\nof 9',
      cluster: 'default',
      state: 'COMPUTED',
      dependsOn: [],
      dependents: [],
      maxRetries: 0,
      attempts: 1,
      retries: 0,
      leaseExpiries: 0,
      notBefore: 0,
      runnable: false,
      createdAt: job.createdAt,
      updatedAt: job.updatedAt,
    };

    // Act
    const text = formatJobTreeText(job, [task]);

    // Assess
    expect(text.split('\n')[1]).toBe('└─ Tile 7 ⏎ of 9 (Resize@v1.0) [COMPUTED]');
  });
});
