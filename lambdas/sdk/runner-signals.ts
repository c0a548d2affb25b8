import { constants } from 'node:os';
import type { RunSummary, TaskRunner } from './task-runner.js';

/** Signals after which a process runner stops polling and finishes its running tasks. */
export const STOP_SIGNALS: readonly NodeJS.Signals[] = ['SIGTERM', 'SIGINT'];

/**
 * A repeat of the stop signal within this window is the same key press:
 * `npm start` and `tsx` relay the terminal's Ctrl-C to the process that the
 * terminal already signalled, so one press can arrive two or three times.
 */
export const SIGNAL_RELAY_WINDOW_MS = 1_000;

export interface StopSignalOptions {
  /** @default SIGTERM and SIGINT */
  readonly signals?: readonly NodeJS.Signals[];
  /** Repeats within this many ms of the first signal are ignored. @default SIGNAL_RELAY_WINDOW_MS */
  readonly relayWindowMs?: number;
  /** Says why the process ends at once on a later repeat. @default a line on stderr */
  readonly onForcedExit?: (signal: NodeJS.Signals) => void;
}

/**
 * Calls `onFirst` on the first stop signal. A repeat within the relay window
 * is ignored; a later one (the user pressing Ctrl-C again) ends the process at
 * once with the shell's code for the signal. Returns a function that removes
 * the handlers.
 *
 * @example
 * ```ts
 * const dispose = onStopSignals((signal) => void server.stop());
 * ```
 */
export function onStopSignals(
  onFirst: (signal: NodeJS.Signals) => void,
  options: StopSignalOptions = {},
): () => void {
  const signals = options.signals ?? STOP_SIGNALS;
  const window = options.relayWindowMs ?? SIGNAL_RELAY_WINDOW_MS;
  let firstAt: number | undefined;
  const onSignal = (signal: NodeJS.Signals) => {
    const now = Date.now();
    if (firstAt === undefined) {
      firstAt = now;
      onFirst(signal);
      return;
    }
    if (now - firstAt < window) return;
    (options.onForcedExit ?? ((s) => process.stderr.write(`${s} again: exiting at once\n`)))(
      signal,
    );
    process.exit(128 + (constants.signals[signal] ?? 0));
  };
  for (const signal of signals) process.on(signal, onSignal);
  return () => {
    for (const signal of signals) process.off(signal, onSignal);
  };
}

export interface RunUntilSignalOptions extends StopSignalOptions {
  /** Called once when the first signal arrives, e.g. to log "finishing 2 running tasks". */
  readonly onSignal?: (signal: NodeJS.Signals) => void;
}

/**
 * Runs `runner.runForever()` until one of `signals` arrives, then stops
 * polling and resolves once the running tasks have finished (and the poll
 * under way, up to the runner's `waitSeconds`, has ended). Pressing Ctrl-C
 * again later ends the process at once (see {@link onStopSignals}).
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
  const controller = new AbortController();
  const dispose = onStopSignals((signal) => {
    options.onSignal?.(signal);
    controller.abort();
  }, options);
  try {
    return await runner.runForever({ signal: controller.signal });
  } finally {
    dispose();
  }
}
