import type { BenchRunnerSettings, RunnerEvents, SideCounts } from './bench-runner-client.js';

/** One {@link RunnerEvents} call of a worker's runner; `at` is the worker's clock (the same machine's). */
export type RunnerEvent =
  | { readonly type: 'received'; readonly task: string; readonly at: number }
  | { readonly type: 'started'; readonly seq: number; readonly at: number; readonly task: string }
  | { readonly type: 'completed'; readonly task: string; readonly at: number }
  | { readonly type: 'error'; readonly message: string };

/** What a runner worker sends the bench over its IPC channel. */
export type WorkerMessage =
  | { readonly type: 'ready'; readonly runnerId: string }
  /** The events of one turn of the worker's event loop, in order. */
  | { readonly type: 'events'; readonly events: readonly RunnerEvent[] }
  /** `cpuMs`: the worker's CPU time from ready to stopped. */
  | { readonly type: 'stopped'; readonly counts: SideCounts; readonly cpuMs: number };

/** What the bench sends a runner worker. */
export type HostMessage = { readonly type: 'stop' };

/** The worker's only argument: its settings as JSON. The connection comes from `BUCKETFLOW_DATA_DIR`. */
export type WorkerArguments = BenchRunnerSettings;
