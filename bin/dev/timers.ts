/** A job run on a timer: the local stand-in for an EventBridge schedule. */
export interface PeriodicJob {
  readonly name: string;
  readonly periodMs: number;
  run(): Promise<unknown>;
}

/** Running timers; `stop()` cancels the next runs and waits for those under way. */
export interface Timers {
  stop(): Promise<void>;
}

/**
 * Runs each job every `periodMs`, counted from the end of its previous run,
 * so runs of one job never overlap (overlaps would be safe, every write is
 * conditional, but they waste requests). A failed run is reported and the
 * next one runs on time.
 *
 * @example
 * ```ts
 * const timers = startTimers([{ name: 'sweep', periodMs: 1000, run: () => sweep() }], console.error);
 * await timers.stop();
 * ```
 */
export function startTimers(
  jobs: readonly PeriodicJob[],
  onError: (job: string, error: unknown) => void,
): Timers {
  let stopped = false;
  const handles = new Map<string, NodeJS.Timeout>();
  const running = new Set<Promise<void>>();
  const schedule = (job: PeriodicJob) => {
    if (stopped) return;
    handles.set(
      job.name,
      setTimeout(() => {
        const run = job
          .run()
          .then(
            () => undefined,
            (error: unknown) => onError(job.name, error),
          )
          .finally(() => {
            running.delete(run);
            schedule(job);
          });
        running.add(run);
      }, job.periodMs),
    );
  };
  for (const job of jobs) schedule(job);
  return {
    async stop() {
      stopped = true;
      for (const handle of handles.values()) clearTimeout(handle);
      await Promise.all(running);
    },
  };
}
