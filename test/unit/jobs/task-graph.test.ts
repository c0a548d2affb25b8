import { describe, expect, it } from 'vitest';
import { InvalidTaskGraphError } from '../../../lambdas/core/jobs/errors.js';
import {
  buildTaskGraph,
  type GraphTask,
  isRunnable,
  releasedByCompletion,
  runnableTasks,
} from '../../../lambdas/core/jobs/task-graph.js';
import type { TaskState } from '../../../lambdas/core/jobs/task-state.js';

const task = (
  id: string,
  state: TaskState,
  parentId: string | null = null,
  dependsOn: string[] = [],
): GraphTask => ({ id, state, parentId, dependsOn });

describe('runnableTasks', () => {
  it('releases a queued root task', () => {
    expect(runnableTasks(buildTaskGraph([task('root', 'QUEUED')]))).toEqual(['root']);
  });

  it('releases all five children of a computed parent at once', () => {
    // Prepare
    const children = ['c1', 'c2', 'c3', 'c4', 'c5'].map((id) => task(id, 'QUEUED', 'root'));

    // Act
    const runnable = runnableTasks(buildTaskGraph([task('root', 'COMPUTED'), ...children]));

    // Assess
    expect(runnable).toEqual(['c1', 'c2', 'c3', 'c4', 'c5']);
  });

  it('holds a task whose dependency failed or was cancelled', () => {
    // Prepare
    const graph = buildTaskGraph([
      task('root', 'COMPUTED'),
      task('a', 'FAILED', 'root'),
      task('b', 'QUEUED', 'root', ['a']),
    ]);

    // Act + Assess
    expect(isRunnable(graph, 'b')).toBe(false);
    expect(runnableTasks(graph)).toEqual([]);
  });
});

describe('releasedByCompletion', () => {
  // News workflow: root submits fetch, headlines and authors; both wait for fetch.
  // fetch submits two page subtasks, which must finish before either dependent runs.
  const news = (fetch: TaskState, page1: TaskState | undefined, page2: TaskState | undefined) =>
    buildTaskGraph([
      task('root', 'COMPUTED'),
      task('fetch', fetch, 'root'),
      task('headlines', 'QUEUED', 'root', ['fetch']),
      task('authors', 'QUEUED', 'root', ['fetch']),
      ...(page1 ? [task('page1', page1, 'fetch')] : []),
      ...(page2 ? [task('page2', page2, 'fetch')] : []),
    ]);

  it('releases only the fetch subtasks when fetch completes with subtasks', () => {
    // Act
    const released = releasedByCompletion(news('COMPUTED', 'QUEUED', 'QUEUED'), 'fetch');

    // Assess
    expect(released).toEqual(['page1', 'page2']);
  });

  it('releases nothing when the first subtask of fetch completes', () => {
    expect(releasedByCompletion(news('COMPUTED', 'COMPUTED', 'RUNNING'), 'page1')).toEqual([]);
  });

  it('releases both dependents when the last subtask of fetch completes', () => {
    expect(releasedByCompletion(news('COMPUTED', 'COMPUTED', 'COMPUTED'), 'page2')).toEqual([
      'headlines',
      'authors',
    ]);
  });

  it('releases the dependents directly when fetch submits no subtasks', () => {
    expect(releasedByCompletion(news('COMPUTED', undefined, undefined), 'fetch')).toEqual([
      'headlines',
      'authors',
    ]);
  });

  it('looks through nested subtasks before releasing a dependent', () => {
    // Prepare: fetch → page → chunk; chunk completes last.
    const graph = (chunk: TaskState) =>
      buildTaskGraph([
        task('fetch', 'COMPUTED'),
        task('print', 'QUEUED', null, ['fetch']),
        task('page', 'COMPUTED', 'fetch'),
        task('chunk', chunk, 'page'),
      ]);

    // Act + Assess
    expect(isRunnable(graph('RUNNING'), 'print')).toBe(false);
    expect(releasedByCompletion(graph('COMPUTED'), 'chunk')).toEqual(['print']);
  });

  it('refuses a completion of a task that is not computed', () => {
    expect(() => releasedByCompletion(news('RUNNING', undefined, undefined), 'fetch')).toThrow(
      'task fetch: is RUNNING, so its completion releases nothing yet',
    );
  });
});

describe('buildTaskGraph', () => {
  it.each([
    [[task('a', 'QUEUED', 'ghost')], "task a: parent 'ghost' is not a task of this job"],
    [[task('a', 'QUEUED', null, ['ghost'])], "task a: dependsOn names 'ghost'"],
    [
      [task('r', 'COMPUTED'), task('x', 'QUEUED', 'r'), task('y', 'QUEUED', null, ['x'])],
      "task y: depends on 'x', which is not a sibling",
    ],
    [[task('a', 'QUEUED', 'b'), task('b', 'QUEUED', 'a')], 'task a: its parent links form a loop'],
    [[task('a', 'QUEUED'), task('a', 'QUEUED')], 'task a: listed twice'],
  ])('rejects inconsistent records (%#)', (tasks, message) => {
    // Act
    const act = () => buildTaskGraph(tasks);

    // Assess
    expect(act).toThrow(InvalidTaskGraphError);
    expect(act).toThrow(message);
  });
});
