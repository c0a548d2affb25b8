import type { ExecutionContext } from '../../../lambdas/sdk/execution-context.js';
import { Task } from '../../../lambdas/sdk/task.js';
import { BatchTask, CronTask, StorageEventTask } from '../../../lambdas/sdk/trigger-tasks.js';

// The task classes and hostile values the console fixture seeds its jobs with.

export class Greet extends Task<{ who: string }> {
  static override identifier = { name: 'console/Greet', version: 'v1.0' };
  execute(context: ExecutionContext) {
    context.currentTask.display = `Greet ${this.input.who}`;
  }
}

export class Parent extends Task {
  static override identifier = { name: 'console/Parent', version: 'v1.2' };
  execute(context: ExecutionContext) {
    const first = context.submitSubtask(new Greet({ who: 'alice' }));
    context.submitSubtask(new Greet({ who: 'bob' }), { dependsOn: [first] });
  }
}

/** Fails every attempt with a long error, the kind that once made the error column unreadable. */
export class Flaky extends Task<{ disk: string }> {
  static override identifier = { name: 'console/Flaky', version: 'v2.0' };
  execute(context: ExecutionContext) {
    context.logger.info('writing the cache', { disk: this.input.disk });
    throw new Error(`${FLAKY_ERROR}\nsecond line of the error`);
  }
}

/** A long error with a long unbroken token, as a real ENOSPC or stack trace has. */
export const FLAKY_ERROR = `ENOSPC: no space left on device, write '/var/lib/bucketflow/cache/${'segment-'.repeat(30)}tile.bin' while packing the scene archive for the nightly export run`;

/** An object key with everything a key may hold that markup or a terminal would misread. */
export const HOSTILE_KEY = 'in box/<script>alert(1)</script> a+b%20 ü\nline.txt';

export class OnText extends StorageEventTask {
  static override identifier = { name: 'console/OnText', version: 'v1.0' };
  execute() {}
}

export class Pack extends BatchTask {
  static override identifier = { name: 'console/Pack', version: 'v1.0' };
  execute() {}
}

export class Tick extends CronTask {
  static override identifier = { name: 'console/Tick', version: 'v1.0' };
  execute() {}
}
