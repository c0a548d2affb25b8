import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  buildTaskGraph,
  type GraphTask,
  releasedByCompletion,
  runnableTasks,
} from '../../../lambdas/core/jobs/task-graph.js';

interface PlannedTask {
  readonly id: string;
  readonly parentId: string | null;
  readonly dependsOn: readonly string[];
}

// A whole job planned up front: which task submits which, and sibling dependencies
// (only on earlier siblings, as Tilebox handles allow, so never cyclic).
const plannedJob = fc
  .array(fc.record({ parent: fc.nat(), deps: fc.array(fc.nat(), { maxLength: 3 }) }), {
    minLength: 1,
    maxLength: 30,
  })
  .map((picks) => {
    const plan: PlannedTask[] = [];
    picks.forEach((pick, index) => {
      const parentIndex = index === 0 ? -1 : (pick.parent % (index + 1)) - 1;
      const parentId = parentIndex < 0 ? null : `t${parentIndex}`;
      const siblings = plan.filter((task) => task.parentId === parentId);
      const deps = siblings.length
        ? pick.deps.map((choice) => siblings[choice % siblings.length]?.id ?? '')
        : [];
      plan.push({ id: `t${index}`, parentId, dependsOn: [...new Set(deps)] });
    });
    return plan;
  });

function descendants(plan: readonly PlannedTask[], id: string): string[] {
  const kids = plan.filter((task) => task.parentId === id).map((task) => task.id);
  return [...kids, ...kids.flatMap((kid) => descendants(plan, kid))];
}

describe('task graph release (properties)', () => {
  it('runs every planned task, never before its dependencies and their subtasks, and releases exactly the newly runnable', () => {
    fc.assert(
      fc.property(plannedJob, fc.array(fc.nat(), { minLength: 1 }), (plan, choices) => {
        // Prepare: the root tasks are written QUEUED at submission.
        const present = new Map<string, GraphTask>();
        const write = (task: PlannedTask, state: GraphTask['state']) =>
          present.set(task.id, { ...task, state });
        for (const task of plan.filter((candidate) => candidate.parentId === null)) {
          write(task, 'QUEUED');
        }
        let runnable = runnableTasks(buildTaskGraph([...present.values()]));

        for (let step = 0; runnable.length > 0; step++) {
          // Act: complete one runnable task, writing its subtasks in the same step.
          const id = runnable[(choices[step % choices.length] ?? 0) % runnable.length] ?? '';
          const done = present.get(id);
          if (!done) throw new Error(`runnable task ${id} is not present`);
          for (const dependency of done.dependsOn) {
            for (const settledId of [dependency, ...descendants(plan, dependency)]) {
              expect(present.get(settledId)?.state, `${id} ran before ${settledId}`).toBe(
                'COMPUTED',
              );
            }
          }
          present.set(id, { ...done, state: 'COMPUTED' });
          for (const child of plan.filter((task) => task.parentId === id)) write(child, 'QUEUED');
          const graph = buildTaskGraph([...present.values()]);
          const released = releasedByCompletion(graph, id);
          const after = runnableTasks(graph);

          // Assess
          const stillWaiting = runnable.filter((other) => other !== id);
          expect(new Set([...stillWaiting, ...released])).toEqual(new Set(after));
          expect(released.some((other) => stillWaiting.includes(other))).toBe(false);
          runnable = after;
        }

        expect([...present.values()].map((task) => task.state)).toEqual(plan.map(() => 'COMPUTED'));
        expect(present.size).toBe(plan.length);
      }),
      { numRuns: 500 },
    );
  });
});
