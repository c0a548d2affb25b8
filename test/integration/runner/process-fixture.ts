import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { StoredJob } from '../../../lambdas/core/ports/job-store.js';
import { Client } from '../../../lambdas/sdk/client.js';
import { type Connection, writeLocalConnection } from '../../../lambdas/sdk/connection.js';
import { createLocalDeployment } from '../support/local-aws.js';
import { MARKER_RUNNER_ENV } from './fixtures/process-tasks.js';

const HERE = fileURLToPath(new URL('.', import.meta.url));
const REPO_ROOT = resolve(HERE, '../../..');
const RUNNER_ENTRY = join(HERE, 'fixtures', 'runner-process.ts');
const POLL_MS = 100;

/** One line a runner process printed (a Powertools JSON line of `powertoolsLogSink`). */
export type LogLine = Readonly<Record<string, unknown>> & { readonly message: string };

/** A runner started as its own Node process by {@link ProcessFixture.startRunner}. */
export interface RunnerProcess {
  readonly child: ChildProcess;
  readonly runnerId: string;
  /** Lines printed on stdout and stderr so far, parsed. */
  readonly lines: LogLine[];
  /** Resolves when the process has ended. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** The first line (already printed or yet to come) matching `predicate`. */
  waitForLine(predicate: (line: LogLine) => boolean, what: string): Promise<LogLine>;
  readonly running: boolean;
}

/**
 * A deployment of its own on the local servers (unique tables and queue
 * prefix) written as a `local.json` connection, a client on it, a folder for
 * task markers, and runner processes that are always killed in `close()`.
 */
export interface ProcessFixture {
  readonly connection: Connection;
  readonly dataDir: string;
  readonly client: Client;
  /** Folder the fixture tasks write their markers into. */
  readonly markerDir: string;
  startRunner(options: { cluster: string; runnerId: string; concurrency?: number }): RunnerProcess;
  /** Polls the job until `done` holds. */
  waitForJob(jobId: string, done: (job: StoredJob) => boolean, what: string): Promise<StoredJob>;
  /** Kills every runner process still alive and removes the temporary folders. */
  close(): Promise<void>;
}

export async function createProcessFixture(): Promise<ProcessFixture> {
  const { connection } = await createLocalDeployment('proc');
  const dataDir = await mkdtemp(join(tmpdir(), 'bucketflow-runner-'));
  const markerDir = await mkdtemp(join(tmpdir(), 'bucketflow-markers-'));
  await writeLocalConnection(dataDir, connection);
  const client = Client.fromConnection(connection);
  const children = new Set<RunnerProcess>();

  return {
    connection,
    dataDir,
    client,
    markerDir,
    startRunner({ cluster, runnerId, concurrency = 1 }) {
      const child = spawn(
        process.execPath,
        [
          '--import',
          'tsx',
          RUNNER_ENTRY,
          '--data-dir',
          dataDir,
          '--cluster',
          cluster,
          '--runner-id',
          runnerId,
          '--concurrency',
          String(concurrency),
        ],
        {
          cwd: REPO_ROOT,
          // The tests read the runner's lines, which the suite's SILENT level would drop.
          env: { ...process.env, [MARKER_RUNNER_ENV]: runnerId, POWERTOOLS_LOG_LEVEL: 'INFO' },
          stdio: ['ignore', 'pipe', 'pipe'],
        },
      );
      const runner = watchRunner(child, runnerId);
      children.add(runner);
      return runner;
    },
    async waitForJob(jobId, done, what) {
      let job: StoredJob | undefined;
      await waitUntil(async () => {
        job = await client.jobs.find(jobId);
        return job !== undefined && done(job);
      }, what);
      return job as StoredJob;
    },
    async close() {
      for (const runner of children) {
        if (runner.running) runner.child.kill('SIGKILL');
        await runner.exited;
      }
      await Promise.all([
        rm(dataDir, { recursive: true, force: true }),
        rm(markerDir, { recursive: true, force: true }),
      ]);
    },
  };
}

function watchRunner(child: ChildProcess, runnerId: string): RunnerProcess {
  const lines: LogLine[] = [];
  const waiters: Array<{ predicate: (line: LogLine) => boolean; resolve: (l: LogLine) => void }> =
    [];
  const onLine = (text: string) => {
    const line = parseLine(text);
    lines.push(line);
    for (const waiter of [...waiters]) {
      if (waiter.predicate(line)) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve(line);
      }
    }
  };
  if (child.stdout) createInterface({ input: child.stdout }).on('line', onLine);
  if (child.stderr) createInterface({ input: child.stderr }).on('line', onLine);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) => {
    child.once('exit', (code, signal) => done({ code, signal }));
  });
  return {
    child,
    runnerId,
    lines,
    exited,
    get running() {
      return child.exitCode === null && child.signalCode === null;
    },
    waitForLine(predicate, what) {
      const seen = lines.find(predicate);
      if (seen) return Promise.resolve(seen);
      return new Promise<LogLine>((resolveLine, reject) => {
        const waiter = { predicate, resolve: resolveLine };
        waiters.push(waiter);
        void exited.then(({ code, signal }) => {
          if (!waiters.includes(waiter)) return;
          const output = lines.map((line) => JSON.stringify(line)).join('\n');
          reject(new Error(`${runnerId} ended (${code ?? signal}) before ${what}:\n${output}`));
        });
      });
    },
  };
}

/** A JSON log line, or the raw text as the message (a crash trace, say). */
function parseLine(text: string): LogLine {
  try {
    const parsed = JSON.parse(text) as unknown;
    if (typeof parsed === 'object' && parsed !== null && 'message' in parsed) {
      return parsed as LogLine;
    }
  } catch {
    // Not JSON: kept as text below.
  }
  return { message: text };
}

/** Polls `check` until it holds; fails after `timeoutMs` naming `what`. */
export async function waitUntil(
  check: () => Promise<boolean> | boolean,
  what: string,
  timeoutMs = 30_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolveWait) => setTimeout(resolveWait, POLL_MS));
  }
}
