import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Connection } from '../../lambdas/sdk/connection.js';
import { DATA_DIR_ENV } from '../../lambdas/sdk/connection.js';
import {
  type BenchRunnerSettings,
  type RunnerEvents,
  type SideCounts,
  startBenchRunner,
} from './bench-runner-client.js';
import type { HostMessage, RunnerEvent, WorkerMessage } from './runner-protocol.js';

const WORKER = fileURLToPath(new URL('./task-runner-worker.ts', import.meta.url));
const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** tsx compiles the worker on start; on a busy 2-core machine that takes a few seconds. */
const READY_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 15_000;

/** What a stopped runner reports. */
export interface RunnerStopped {
  readonly counts: SideCounts;
  /** CPU time of its process from ready to stopped; 0 in the bench process, whose CPU the bench counts. */
  readonly cpuMs: number;
}

/** A running bench runner, in a child process or in the bench process. */
export interface RunnerHost {
  /** Stops polling, waits for running tasks, and returns the requests the runner sent. */
  stop(): Promise<RunnerStopped>;
  /** Ends a worker process at once (SIGKILL), or stops an in-process runner's polling; for `finally`. */
  kill(): void;
}

/**
 * Starts `node --import tsx task-runner-worker.ts` and resolves once the
 * worker reports ready (its queue URL resolved, its counters reset).
 */
export function startProcessRunner(
  dataDir: string,
  settings: BenchRunnerSettings,
  events: RunnerEvents,
): Promise<RunnerHost> {
  // e.g. BENCH_RUNNER_NODE_ARGS='--cpu-prof --cpu-prof-dir=/tmp/prof' profiles the runner processes.
  const nodeArgs = process.env.BENCH_RUNNER_NODE_ARGS?.split(' ').filter(Boolean) ?? [];
  const args = [...nodeArgs, '--import', 'tsx', WORKER, JSON.stringify(settings)];
  const child = spawn(process.execPath, args, {
    cwd: REPO_ROOT,
    env: {
      ...process.env,
      [DATA_DIR_ENV]: dataDir,
      // One "upgrade to Node 22" warning per worker would bury the bench's own output.
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    },
    // stdout is ignored so that `--json` output stays clean; warnings go to stderr.
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  let onStopped: ((stopped: RunnerStopped) => void) | undefined;
  let stopping = false;
  const host: RunnerHost = {
    stop: () => {
      stopping = true;
      const stopped = new Promise<RunnerStopped>((resolve, reject) => {
        onStopped = resolve;
        const timer = setTimeout(() => {
          kill(child);
          reject(new Error(`runner worker ${child.pid} did not stop within ${STOP_TIMEOUT_MS} ms`));
        }, STOP_TIMEOUT_MS);
        child.once('exit', () => clearTimeout(timer));
      });
      child.send({ type: 'stop' } satisfies HostMessage);
      return stopped;
    },
    kill: () => kill(child),
  };
  return new Promise<RunnerHost>((resolve, reject) => {
    const timer = setTimeout(() => {
      kill(child);
      reject(new Error(`runner worker ${child.pid} was not ready within ${READY_TIMEOUT_MS} ms`));
    }, READY_TIMEOUT_MS);
    child.on('message', (message: WorkerMessage) => {
      switch (message.type) {
        case 'ready':
          clearTimeout(timer);
          resolve(host);
          break;
        case 'events':
          for (const event of message.events) deliver(event, events);
          break;
        case 'stopped':
          onStopped?.({ counts: message.counts, cpuMs: message.cpuMs });
          break;
      }
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      const why = `runner worker ${child.pid} exited (${signal ?? `code ${code}`})`;
      reject(new Error(`${why} before it was ready; its stderr is above`));
      if (!stopping) events.onError(why);
    });
  });
}

/** The baseline: the same runner in the bench process, sharing its event loop with the submitter. */
export async function startInProcessRunner(
  connection: Connection,
  settings: BenchRunnerSettings,
  events: RunnerEvents,
): Promise<RunnerHost> {
  const { runner, side } = await startBenchRunner(connection, settings, events);
  const running = runner.runForever();
  return {
    stop: async () => {
      await runner.stop();
      await running;
      const counts = side.counts();
      side.destroy();
      return { counts, cpuMs: 0 };
    },
    kill: () => void runner.stop(),
  };
}

function deliver(event: RunnerEvent, events: RunnerEvents): void {
  switch (event.type) {
    case 'received':
      events.onReceived(event.task, event.at);
      break;
    case 'started':
      events.onStarted(event.seq, event.at, event.task);
      break;
    case 'completed':
      events.onCompleted(event.task, event.at);
      break;
    case 'error':
      events.onError(event.message);
      break;
  }
}

function kill(child: ChildProcess): void {
  if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
}
