import type { BenchRunnerSettings, SideCounts } from './bench-runner-client.js';

/** What a runner worker sends the bench over its IPC channel. */
export type WorkerMessage =
  | { readonly type: 'ready'; readonly runnerId: string }
  | { readonly type: 'received'; readonly task: string; readonly at: number }
  | { readonly type: 'started'; readonly seq: number; readonly at: number; readonly task: string }
  | { readonly type: 'completed'; readonly task: string; readonly at: number }
  | { readonly type: 'error'; readonly message: string }
  /** `cpuMs`: the worker's CPU time from ready to stopped. */
  | { readonly type: 'stopped'; readonly counts: SideCounts; readonly cpuMs: number };

/** What the bench sends a runner worker. */
export type HostMessage = { readonly type: 'stop' };

/** The worker's only argument: its settings as JSON. The connection comes from `BUCKETFLOW_DATA_DIR`. */
export type WorkerArguments = BenchRunnerSettings;
