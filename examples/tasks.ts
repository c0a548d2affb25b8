import {
  BatchTask,
  CronTask,
  type ExecutionContext,
  StorageEventTask,
} from '../lambdas/sdk/index.js';

/** Longest display a demo task sets; the store keeps up to 1,024 characters. */
const PREVIEW_WORDS = 3;

/**
 * Runs for every new `.txt` object: reads it through the trigger's storage
 * (S3 or a watched folder alike) and counts its words and lines.
 *
 * @example
 * ```ts
 * await client.jobs.submit('manual', new WordCount().once('demo', 'hello.txt'));
 * ```
 */
export class WordCount extends StorageEventTask {
  static override identifier = { name: 'examples/WordCount', version: 'v1.0' };

  async execute(context: ExecutionContext): Promise<void> {
    const { key, location } = this.trigger;
    const text = new TextDecoder().decode(await this.trigger.storage.read(key));
    const words = text.split(/\s+/).filter((word) => word.length > 0);
    const lines = text === '' ? 0 : text.split('\n').filter((line) => line !== '').length;
    const preview = words.slice(0, PREVIEW_WORDS).join(' ');
    context.logger.info('counted', { location, key, words: words.length, lines });
    context.currentTask.display = `${location}/${key}: ${words.length} words, ${lines} lines${
      preview ? ` ("${preview}${words.length > PREVIEW_WORDS ? ' …' : ''}")` : ''
    }`;
  }
}

/**
 * Runs once per closed batch: the place to package, index or move the
 * batch's objects together (here it reports what the batch holds).
 *
 * @example
 * ```ts
 * new PackageBatch().once({ bucket: 'demo', prefix: 'runs/r1/', keys: ['runs/r1/a.txt'] });
 * ```
 */
export class PackageBatch extends BatchTask {
  static override identifier = { name: 'examples/PackageBatch', version: 'v1.0' };

  async execute(context: ExecutionContext): Promise<void> {
    const { bucket, prefix, count, reason } = this.trigger;
    // members() reads the keys the same way for 5 objects as for 10,000.
    let first: string | undefined;
    let read = 0;
    for await (const key of this.trigger.members()) {
      first ??= key;
      read++;
    }
    context.logger.info('batch ready', { bucket, prefix, count, reason, first, read });
    context.currentTask.display = `${count} objects under ${bucket}/${prefix} (closed by ${reason})`;
  }
}

/**
 * Runs at every fire time of a cron automation.
 *
 * @example
 * ```ts
 * await client.jobs.submit('manual-heartbeat', new Heartbeat().once(new Date()));
 * ```
 */
export class Heartbeat extends CronTask {
  static override identifier = { name: 'examples/Heartbeat', version: 'v1.0' };

  execute(context: ExecutionContext): void {
    const fired = this.trigger.fireTime.toISOString();
    context.currentTask.display = `heartbeat for ${fired}`;
  }
}
