import type { ExecutionContext } from '../../lambdas/sdk/execution-context.js';
import { Task } from '../../lambdas/sdk/task.js';
import { BatchTask, StorageEventTask } from '../../lambdas/sdk/trigger-tasks.js';
import { keep } from '../harness.js';

/** Subtasks of a fan-out root: the limit, so that the per-subtask figure is the cheapest case. */
export const FAN_OUT = 64;

/** The root task of the cost bench's storage automation; reads its trigger, as real ones do. */
export class BenchObject extends StorageEventTask {
  static override identifier = { name: 'cost/Object', version: 'v1.0' };
  execute() {
    keep(this.trigger.eventTime);
  }
}

/** The root task of the cost bench's batch automations. */
export class BenchBatch extends BatchTask {
  static override identifier = { name: 'cost/Batch', version: 'v1.0' };
  execute() {
    keep(this.trigger.lastEventAt);
  }
}

/** A single-task job. */
export class BenchJob extends Task<{ n: number }> {
  static override identifier = { name: 'cost/Job', version: 'v1.0' };
  execute() {}
}

/** A root that fans out into {@link FAN_OUT} leaves. */
export class BenchFan extends Task<{ n: number }> {
  static override identifier = { name: 'cost/Fan', version: 'v1.0' };
  execute(context: ExecutionContext) {
    for (let i = 0; i < FAN_OUT; i++) context.submitSubtask(new BenchLeaf({ i }));
  }
}

export class BenchLeaf extends Task<{ i: number }> {
  static override identifier = { name: 'cost/Leaf', version: 'v1.0' };
  execute() {}
}
