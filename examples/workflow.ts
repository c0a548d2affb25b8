import { type ExecutionContext, Task } from '../lambdas/sdk/index.js';

/**
 * The README's workflow: a root task fans out one `MeasureText` per text,
 * each writes its figure to the job cache, and `Summarize` runs after all of
 * them (a dependency) and reads the figures back. Run its tasks with
 * `npm run -s bucketflow -- runner --tasks ./examples/workflow.ts`.
 *
 * @example
 * ```ts
 * await client.jobs.submit('measure', new MeasureTexts({ texts: ['a b', 'c'] }));
 * ```
 */
export class MeasureTexts extends Task<{ texts: string[] }> {
  static override identifier = { name: 'examples/MeasureTexts', version: 'v1.0' };

  execute(context: ExecutionContext): void {
    const measures = context.submitSubtasks(
      this.input.texts.map((text, index) => new MeasureText({ text, index })),
      { maxRetries: 2 },
    );
    context.submitSubtask(new Summarize({ count: measures.length }), { dependsOn: measures });
    context.currentTask.display = `${measures.length} texts`;
  }
}

/** Counts one text's words and leaves the figure in the job cache for `Summarize`. */
export class MeasureText extends Task<{ text: string; index: number }> {
  static override identifier = { name: 'examples/MeasureText', version: 'v1.0' };

  async execute(context: ExecutionContext): Promise<void> {
    const words = this.input.text.split(/\s+/).filter((word) => word.length > 0).length;
    await context.jobCache.group('words').set(String(this.input.index), String(words));
    context.currentTask.display = `text ${this.input.index}: ${words} words`;
  }
}

/** Runs after every `MeasureText` of the job and adds their figures up. */
export class Summarize extends Task<{ count: number }> {
  static override identifier = { name: 'examples/Summarize', version: 'v1.0' };

  async execute(context: ExecutionContext): Promise<void> {
    const figures = context.jobCache.group('words');
    let total = 0;
    for await (const key of figures) {
      total += Number(new TextDecoder().decode(await figures.get(key)));
    }
    context.logger.info('summary', { texts: this.input.count, words: total });
    context.currentTask.display = `${total} words in ${this.input.count} texts`;
  }
}
