import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isCompatible, taskIdentifier } from '../../../lambdas/core/jobs/task-identifier.js';
import { routeKey, routingProblem, taskRouteOf } from '../../../lambdas/core/jobs/task-routing.js';

const identifier = fc
  .record({
    name: fc.constantFrom('Resize', 'Thumb', 'a/b@c'),
    major: fc.nat({ max: 3 }),
    minor: fc.nat({ max: 3 }),
  })
  .map(({ name, major, minor }) => taskIdentifier(name, `v${major}.${minor}`));
const cluster = fc.constantFrom('gpu', 'cpu');
const runner = fc.record({
  runnerId: fc.string({ minLength: 1, maxLength: 4 }),
  cluster,
  identifiers: fc.array(identifier, { maxLength: 4 }),
});

describe('taskRouteOf', () => {
  it('puts every minor version of a name and major version on one route, and nothing else', () => {
    fc.assert(
      fc.property(cluster, identifier, cluster, identifier, (c1, a, c2, b) => {
        const same =
          c1 === c2 && a.name === b.name && a.version.split('.')[0] === b.version.split('.')[0];
        expect(routeKey(taskRouteOf(c1, a)) === routeKey(taskRouteOf(c2, b))).toBe(same);
      }),
    );
  });
});

describe('routingProblem', () => {
  it('finds no problem exactly when a runner of the cluster may run the task by the version rule', () => {
    fc.assert(
      fc.property(cluster, identifier, fc.array(runner, { maxLength: 5 }), (c, wanted, runners) => {
        const runs = runners.some(
          (r) => r.cluster === c && r.identifiers.some((have) => isCompatible(have, wanted)),
        );
        expect(routingProblem({ cluster: c, identifier: wanted }, runners) === undefined).toBe(
          runs,
        );
      }),
    );
  });

  it('names the missing identifier, or the newest minor version registered', () => {
    // Prepare
    const task = { cluster: 'gpu', identifier: taskIdentifier('Resize', 'v1.5') };
    const older = {
      runnerId: 'r',
      cluster: 'gpu',
      identifiers: [taskIdentifier('Resize', 'v1.2')],
    };
    const elsewhere = { ...older, cluster: 'cpu', identifiers: [taskIdentifier('Resize', 'v1.9')] };

    // Act and Assess
    expect(routingProblem(task, [elsewhere])).toBe(
      'no runner on cluster gpu registered Resize@v1.x',
    );
    expect(routingProblem(task, [older])).toBe(
      'runners on cluster gpu registered Resize up to v1.2; Resize@v1.5 needs v1.5 or newer',
    );
  });
});
