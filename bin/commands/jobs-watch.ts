import { setTimeout as sleep } from 'node:timers/promises';
import { acceptsNewWork } from '../../lambdas/core/jobs/task-state.js';
import type { StoredJob } from '../../lambdas/core/ports/job-store.js';
import type { Client } from '../../lambdas/sdk/client.js';
import { progressLine } from './job-format.js';
import { findJob } from './jobs-logs.js';

/** Where `jobs watch` draws, and how. */
export interface WatchOutput {
  write(text: string): void;
  /** Redraw one line with `\r` (a terminal), or print a line per change (a pipe, a log file). */
  readonly redraw: boolean;
}

/**
 * Polls the job every `intervalMs` (one read each) and draws its progress
 * until it is COMPLETED, FAILED or CANCELLED; returns the final job. Tasks
 * still running in a failed or cancelled job may finish after it returns.
 *
 * @example
 * ```ts
 * const job = await watchJob(client, jobId, { intervalMs: 500, output: { write: (t) => process.stdout.write(t), redraw: true } });
 * ```
 */
export async function watchJob(
  client: Client,
  jobId: string,
  options: { intervalMs: number; output?: WatchOutput | undefined },
): Promise<StoredJob> {
  const { output } = options;
  let shown = '';
  for (;;) {
    const job = await findJob(client, jobId);
    const line = progressLine(job);
    const final = !acceptsNewWork(job.state);
    if (output?.redraw) {
      // Pad over the previous line: it may have been longer.
      output.write(`\r${line.padEnd(shown.length)}${final ? '\n' : ''}`);
    } else if (output && line !== shown) {
      output.write(`${line}\n`);
    }
    shown = line;
    if (final) return job;
    await sleep(options.intervalMs);
  }
}
