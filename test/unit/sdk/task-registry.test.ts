import { describe, expect, it } from 'vitest';
import { taskIdentifier } from '../../../lambdas/core/jobs/task-identifier.js';
import {
  DuplicateTaskError,
  InvalidTriggerError,
  MissingTriggerError,
  TaskDefinitionError,
  TaskNotRegisteredError,
} from '../../../lambdas/sdk/errors.js';
import { Task, type TaskClass } from '../../../lambdas/sdk/task.js';
import { TaskRegistry } from '../../../lambdas/sdk/task-registry.js';
import { CronTask, StorageEventTask } from '../../../lambdas/sdk/trigger-tasks.js';

class ResizeV15 extends Task<{ key: string }> {
  static override identifier = { name: 'Resize', version: 'v1.5' };
  execute(): void {}
}

class ResizeV2 extends Task<{ key: string }> {
  static override identifier = { name: 'Resize', version: 'v2.0' };
  execute(): void {}
}

class Report extends CronTask<{ recipient: string }> {
  execute(): void {}
}

class OnUpload extends StorageEventTask {
  execute(): void {}
}

describe('TaskRegistry', () => {
  it.each([
    ['v1.3', ResizeV15],
    ['v1.5', ResizeV15],
    ['v1.0', ResizeV15],
    ['v1.6', undefined],
    ['v2.0', ResizeV2],
    ['v2.5', undefined],
    ['v0.9', undefined],
  ])('resolves Resize@%s by the version rule', (version, expected) => {
    // Prepare
    const registry = new TaskRegistry([ResizeV15, ResizeV2]);

    // Act
    const resolved = registry.resolve(taskIdentifier('Resize', version));

    // Assess
    expect(resolved).toBe(expected);
  });

  it('runs a task submitted as v1.3 on a registered v1.5, but not on v1.2 or v2.5', () => {
    // Prepare
    const at = (version: string): TaskClass =>
      class Resize extends Task {
        static override identifier = { version };
        execute(): void {}
      };
    const submitted = taskIdentifier('Resize', 'v1.3');

    // Act
    const results = ['v1.5', 'v1.2', 'v2.5'].map(
      (version) => new TaskRegistry([at(version)]).resolve(submitted) !== undefined,
    );

    // Assess
    expect(results).toEqual([true, false, false]);
  });

  it('rejects a second class with the same name and major version', () => {
    // Prepare
    class ResizeV12 extends Task {
      static override identifier = { name: 'Resize', version: 'v1.2' };
      execute(): void {}
    }
    const registry = new TaskRegistry([ResizeV15]);

    // Act
    const act = () => registry.register(ResizeV12);

    // Assess
    expect(act).toThrow(DuplicateTaskError);
    expect(act).toThrow('ResizeV12 (Resize@v1.2) clashes with ResizeV15 (Resize@v1.5)');
  });

  it('ignores registering the same class twice', () => {
    // Prepare
    const registry = new TaskRegistry([ResizeV15]);

    // Act
    registry.register(ResizeV15);

    // Assess
    expect(registry.identifiers()).toEqual([{ name: 'Resize', version: 'v1.5' }]);
  });

  it('lists identifiers sorted by name and numeric version', () => {
    // Prepare
    class ResizeV10 extends Task {
      static override identifier = { name: 'Resize', version: 'v10.0' };
      execute(): void {}
    }

    // Act
    const registry = new TaskRegistry([ResizeV10, Report, ResizeV2, ResizeV15]);

    // Assess
    expect(registry.identifiers().map((id) => `${id.name}@${id.version}`)).toEqual([
      'Report@v0.0',
      'Resize@v1.5',
      'Resize@v2.0',
      'Resize@v10.0',
    ]);
  });

  it.each([
    ['the Task base', Task],
    ['the CronTask base', CronTask],
    ['a non-class', (() => {}) as unknown],
  ])('rejects %s', (_label, value) => {
    expect(() => new TaskRegistry([value as TaskClass])).toThrow(TaskDefinitionError);
  });

  it('rejects abstract task classes at compile time too', () => {
    // Prepare
    const registry = new TaskRegistry();

    // Act
    // @ts-expect-error StorageEventTask is abstract
    const act = () => registry.register(StorageEventTask);

    // Assess
    expect(act).toThrow('StorageEventTask is an abstract base class, not a task');
  });

  it('rebuilds a stored task as an instance of the class that may run it', () => {
    // Prepare
    const registry = new TaskRegistry([ResizeV15]);
    const record = { identifier: taskIdentifier('Resize', 'v1.3'), inputJson: '{"key":"a.tif"}' };

    // Act
    const task = registry.fromSpec(record);

    // Assess
    expect(task).toBeInstanceOf(ResizeV15);
    expect(task.input).toEqual({ key: 'a.tif' });
  });

  it('names the submitted and registered versions when none may run a task', () => {
    // Prepare
    const registry = new TaskRegistry([ResizeV15, ResizeV2]);
    const record = { identifier: taskIdentifier('Resize', 'v1.7'), inputJson: '{}' };

    // Act
    const act = () => registry.fromSpec(record);

    // Assess
    expect(act).toThrow(TaskNotRegisteredError);
    expect(act).toThrow(
      'Resize@v1.7: no registered task class can run it (registered: Resize@v1.5, Resize@v2.0)',
    );
  });

  it('round-trips a trigger task through its spec, trigger included', () => {
    // Prepare
    const registry = new TaskRegistry([Report]);
    const fireTime = new Date('2030-12-12T15:15:00Z');
    const spec = new Report({ recipient: 'ops' })
      .once({ fireTime, timezone: 'Europe/Berlin' })
      .toSpec();

    // Act
    const task = registry.fromSpec(spec) as Report;

    // Assess
    expect(task).toBeInstanceOf(Report);
    expect(task.input).toEqual({ recipient: 'ops' });
    expect(task.trigger).toEqual({
      kind: 'cron',
      fireTime,
      expression: null,
      timezone: 'Europe/Berlin',
    });
  });

  it('attaches the storage client the environment gives for the event location', async () => {
    // Prepare
    const registry = new TaskRegistry([OnUpload]);
    const spec = new OnUpload().once('s3://photos', 'a/b.jpg').toSpec();
    const locations: string[] = [];
    const storage = (location: string) => {
      locations.push(location);
      return { read: async (key: string) => new TextEncoder().encode(`${location}/${key}`) };
    };

    // Act
    const task = registry.fromSpec(
      { identifier: spec.identifier, inputJson: JSON.stringify(spec.input) },
      { storage },
    ) as OnUpload;
    const bytes = await task.trigger.storage.read(task.trigger.key);

    // Assess
    expect(locations).toEqual(['s3://photos']);
    expect(new TextDecoder().decode(bytes)).toBe('s3://photos/a/b.jpg');
  });

  it('rejects a stored trigger task without a trigger or with another kind', () => {
    // Prepare
    const registry = new TaskRegistry([Report]);
    const identifier = taskIdentifier('Report');
    const storageTrigger = new OnUpload().once('s3://b', 'k').toSpec().input;

    // Act
    const missing = () => registry.fromSpec({ identifier, input: { recipient: 'x' } });
    const wrongKind = () => registry.fromSpec({ identifier, input: storageTrigger });

    // Assess
    expect(missing).toThrow(MissingTriggerError);
    expect(wrongKind).toThrow(InvalidTriggerError);
    expect(wrongKind).toThrow("input.__trigger.kind: is 'storage', but Report is a CronTask");
  });
});
