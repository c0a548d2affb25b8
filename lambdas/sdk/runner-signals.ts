import type { RunSummary, TaskRunner } from './task-runner.js';

/** Signals after which a process runner stops polling and finishes its running tasks. */
export const STOP_SIGNALS: readonly NodeJS.Signals[] = ['SIGTERM', 'SIGINT'];

export interface RunUntilSignalOptions {
  /** @default SIGTERM and SIGINT */
  readonly signals?: readonly NodeJS.Signals[];
  /** Called once when the first signal arrives, e.g. to log "finishing 2 running tasks". */
  readonly onSignal?: (signal: NodeJS.Signals) => void;
}

/**
 * Runs `runner.runForever()` until one of `signals` arrives, then stops
 * polling and resolves once the running tasks have finished (and the poll
 * under way, up to the runner's `waitSeconds`, has ended). A second signal
 * gets Node's default behaviour (the process ends at once), which is what a
 * user pressing Ctrl-C twice expects.
 *
 * @example
 * ```ts
 * await runUntilSignal(client.runner({ cluster: 'gpu', tasks: [Resize] }));
 * ```
 */
export async function runUntilSignal(
  runner: TaskRunner,
  options: RunUntilSignalOptions = {},
): Promise<RunSummary> {
  const signals = options.signals ?? STOP_SIGNALS;
  const controller = new AbortController();
  const onSignal = (signal: NodeJS.Signals) => {
    // Only the first signal is ours; later ones fall through to the default handler.
    for (const other of signals) process.off(other, onSignal);
    options.onSignal?.(signal);
    controller.abort();
  };
  for (const signal of signals) process.once(signal, onSignal);
  try {
    return await runner.runForever({ signal: controller.signal });
  } finally {
    for (const signal of signals) process.off(signal, onSignal);
  }
}
