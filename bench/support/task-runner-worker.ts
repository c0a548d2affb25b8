import { resolveConnection } from '../../lambdas/sdk/connection.js';
import { startBenchRunner } from './bench-runner-client.js';
import { ownCpuMs } from './process-cpu.js';
import type {
  HostMessage,
  RunnerEvent,
  WorkerArguments,
  WorkerMessage,
} from './runner-protocol.js';

/*
 * One runner process of bench/task-runners.bench.ts, started as
 * `node --import tsx bench/support/task-runner-worker.ts '<settings JSON>'`
 * with BUCKETFLOW_DATA_DIR naming the local.json of the bench's servers, as a
 * user's runner process finds a `bucketflow dev`. It reports over IPC.
 */

const channel = process.send?.bind(process);
if (!channel) {
  throw new Error(
    'task-runner-worker needs an IPC channel: bench/task-runners.bench.ts starts it with stdio "ipc"',
  );
}
const send = (message: WorkerMessage, then?: () => void): void => {
  channel(message, undefined, undefined, () => then?.());
};
// Events go out together once per turn of the event loop: one IPC write per message would
// be a good part of the runner process's own CPU at 3 events per task.
let events: RunnerEvent[] = [];
const report = (event: RunnerEvent): void => {
  if (events.length === 0) setImmediate(flush);
  events.push(event);
};
const flush = (): void => {
  if (events.length === 0) return;
  send({ type: 'events', events });
  events = [];
};

const settings = JSON.parse(process.argv[2] ?? '{}') as WorkerArguments;
const { runner, side } = await startBenchRunner(resolveConnection(), settings, {
  onReceived: (task, at) => report({ type: 'received', task, at }),
  onStarted: (seq, at, task) => report({ type: 'started', seq, at, task }),
  onCompleted: (task, at) => report({ type: 'completed', task, at }),
  onError: (message) => report({ type: 'error', message }),
});

const running = runner.runForever();
let stopping = false;
const stop = async (): Promise<void> => {
  if (stopping) return;
  stopping = true;
  await runner.stop();
  await running;
  const counts = side.counts();
  const cpuMs = ownCpuMs() - readyCpuMs;
  side.destroy();
  flush();
  if (process.connected) send({ type: 'stopped', counts, cpuMs }, () => process.exit(0));
  else process.exit(0);
};
process.on('message', (message: HostMessage) => {
  if (message.type === 'stop') void stop();
});
// A bench that died without saying stop must not leave this process polling.
process.once('disconnect', () => void stop());

// Starting (tsx compiling the worker) is not the runner's work.
const readyCpuMs = ownCpuMs();
send({ type: 'ready', runnerId: runner.runnerId });
