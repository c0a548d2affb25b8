import { beforeAll, describe, expect, it } from 'vitest';
import type { ExecutionContext } from '../../../lambdas/sdk/execution-context.js';
import { Task } from '../../../lambdas/sdk/task.js';
import { createRunnerFixture, type RunnerFixture, uniqueCluster } from './runner-fixture.js';

const executed: string[] = [];

class ParentTask extends Task<{ children: number }> {
  execute(context: ExecutionContext) {
    executed.push('parent');
    for (let index = 0; index < this.input.children; index++) {
      context.submitSubtask(new ChildTask({ index }));
    }
  }
}

class ChildTask extends Task<{ index: number }> {
  execute(context: ExecutionContext) {
    executed.push(`child-${this.input.index}`);
    context.currentTask.display = `Child ${this.input.index}`;
  }
}

class SplitRange extends Task<{ start: number; end: number }> {
  execute(context: ExecutionContext) {
    const { start, end } = this.input;
    executed.push(`range-${start}-${end}`);
    if (end - start <= 1) return;
    const middle = Math.floor((start + end) / 2);
    context.submitSubtasks([
      new SplitRange({ start, end: middle }),
      new SplitRange({ start: middle, end }),
    ]);
  }
}

class NewsWorkflow extends Task<{ category: string }> {
  execute(context: ExecutionContext) {
    executed.push('news');
    const fetch = context.submitSubtask(new FetchNews({ category: this.input.category }));
    context.submitSubtask(new PrintHeadlines(), { dependsOn: [fetch] });
    context.submitSubtask(new MostFrequentAuthors(), { dependsOn: [fetch] });
  }
}

class FetchNews extends Task<{ category: string }> {
  async execute(context: ExecutionContext) {
    // Slow enough that a dependent started early would be recorded first.
    await new Promise((resolve) => setTimeout(resolve, 300));
    await context.jobCache.set('articles', JSON.stringify(['a by Ada', 'b by Bob', 'c by Ada']));
    executed.push('fetch');
  }
}

class PrintHeadlines extends Task {
  async execute(context: ExecutionContext) {
    const articles = await context.jobCache.get('articles');
    executed.push(`headlines:${articles === undefined ? 'missing' : 'read'}`);
  }
}

class MostFrequentAuthors extends Task {
  async execute(context: ExecutionContext) {
    const articles = await context.jobCache.get('articles');
    executed.push(`authors:${articles === undefined ? 'missing' : 'read'}`);
  }
}

describe('TaskRunner', () => {
  let fixture: RunnerFixture;

  beforeAll(async () => {
    fixture = await createRunnerFixture();
  });

  it('runs a parent and its 5 children and completes the job', async () => {
    // Prepare
    executed.length = 0;
    const cluster = uniqueCluster();
    const job = await fixture.submit(new ParentTask({ children: 5 }), cluster);
    const runner = fixture.runner(cluster, [ParentTask, ChildTask], { concurrency: 3 });

    // Act
    const summary = await fixture.runAll(runner);

    // Assess
    const tasks = await fixture.tasksOf(job.jobId);
    expect(tasks).toHaveLength(6);
    expect(tasks.every((task) => task.state === 'COMPUTED')).toBe(true);
    expect((await fixture.jobs.getJob(job.jobId)).state).toBe('COMPLETED');
    expect(summary.computed).toBe(6);
    expect(executed[0]).toBe('parent');
    expect(executed.slice(1).sort()).toEqual([0, 1, 2, 3, 4].map((index) => `child-${index}`));
  });

  it('splits a range recursively until every part has size 1', async () => {
    // Prepare
    executed.length = 0;
    const cluster = uniqueCluster();
    const job = await fixture.submit(new SplitRange({ start: 0, end: 8 }), cluster);
    const runner = fixture.runner(cluster, [SplitRange], { concurrency: 4 });

    // Act
    await fixture.runAll(runner);

    // Assess
    const tasks = await fixture.tasksOf(job.jobId);
    expect(tasks).toHaveLength(15);
    expect(tasks.every((task) => task.state === 'COMPUTED')).toBe(true);
    const leaves = executed.filter((entry) => {
      const [, start, end] = entry.split('-').map(Number);
      return (end as number) - (start as number) === 1;
    });
    expect(leaves.sort()).toEqual(
      Array.from({ length: 8 }, (_, start) => `range-${start}-${start + 1}`).sort(),
    );
    expect((await fixture.jobs.getJob(job.jobId)).state).toBe('COMPLETED');
  });

  it('runs the tasks that depend on a fetch after it, sharing data through the job cache', async () => {
    // Prepare
    executed.length = 0;
    const cluster = uniqueCluster();
    const { mkdtemp } = await import('node:fs/promises');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const { LocalFolderStorage } = await import(
      '../../../lambdas/adapters/local/local-folder-storage.js'
    );
    const cacheStorage = new LocalFolderStorage({
      root: await mkdtemp(join(tmpdir(), 'runner-cache-')),
    });
    const job = await fixture.submit(new NewsWorkflow({ category: 'science' }), cluster);
    const runner = fixture.runner(
      cluster,
      [NewsWorkflow, FetchNews, PrintHeadlines, MostFrequentAuthors],
      { concurrency: 4, cacheStorage },
    );

    // Act
    await fixture.runAll(runner);

    // Assess
    expect(executed.slice(0, 2)).toEqual(['news', 'fetch']);
    expect(executed.slice(2).sort()).toEqual(['authors:read', 'headlines:read']);
    const tasks = await fixture.tasksOf(job.jobId);
    expect(tasks.map((task) => task.state)).toEqual(Array(4).fill('COMPUTED'));
    expect(await cacheStorage.exists(`jobs/${job.jobId}/cache/articles`)).toBe(true);
  });
});
