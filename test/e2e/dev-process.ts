import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { S3Client } from '@aws-sdk/client-s3';
import { type AwsClients, createAwsClients } from '../../lambdas/adapters/aws/aws-clients.js';
import { DynamoDbBatchStore } from '../../lambdas/adapters/aws/batch-store/dynamodb-batch-store.js';
import { Client } from '../../lambdas/sdk/client.js';
import { type Connection, readLocalConnection } from '../../lambdas/sdk/connection.js';

export const REPO_ROOT = resolve(fileURLToPath(new URL('.', import.meta.url)), '../..');
const POLL_MS = 200;

/** A `bucketflow dev` child process, in a process group of its own. */
export interface DevProcess {
  readonly child: ChildProcess;
  /** Everything it printed so far (stdout and stderr). */
  output(): string;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  readonly running: boolean;
  /** SIGKILL to the whole group (DynamoDB Local included), when still running. */
  kill(): Promise<void>;
}

/**
 * Starts `bucketflow dev` on `dataDir` with `config` (relative to the repository).
 * It runs detached, so `kill()` can end DynamoDB Local with it.
 */
export function startDevProcess(dataDir: string, config: string): DevProcess {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'bin/bucketflow.ts', 'dev', '--data-dir', dataDir, '--config', config],
    {
      cwd: REPO_ROOT,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
    },
  );
  let text = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    text += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    text += chunk.toString();
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) => {
    child.once('exit', (code, signal) => done({ code, signal }));
  });
  const running = () => child.exitCode === null && child.signalCode === null;
  return {
    child,
    output: () => text,
    exited,
    get running() {
      return running();
    },
    async kill() {
      if (child.pid === undefined) return;
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        // The group is gone already.
      }
      if (running()) await exited;
    },
  };
}

/** Polls until `check` returns a value other than undefined; fails naming `what` after `timeoutMs`. */
export async function waitFor<T>(
  check: () => Promise<T | undefined> | T | undefined,
  what: string,
  timeoutMs: number,
  describe: () => string = () => '',
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}\n${describe()}`);
    }
    await new Promise((done) => setTimeout(done, POLL_MS));
  }
}

/** Waits for `<dataDir>/local.json` of a running process; fails early when the process ends. */
export async function waitForConnection(dev: DevProcess, dataDir: string): Promise<Connection> {
  return waitFor(
    () => {
      if (!dev.running)
        throw new Error(`bucketflow dev ended before it was ready:\n${dev.output()}`);
      const file = join(dataDir, 'local.json');
      if (!existsSync(file)) return undefined;
      // A process killed with SIGKILL leaves its local.json behind: wait for this one's.
      const { pid } = JSON.parse(readFileSync(file, 'utf8')) as { pid?: number };
      return pid === dev.child.pid ? readLocalConnection(dataDir, { required: true }) : undefined;
    },
    'local.json',
    120_000,
    dev.output,
  );
}

/** An S3 client for the local S3 server, signing with the data directory's own key. */
export function s3ClientFor(connection: Connection): S3Client {
  const { region, s3, credentials } = connection.endpoints;
  if (!credentials) throw new Error('local.json has no credentials for the local S3 server');
  return new S3Client({ region, endpoint: s3, forcePathStyle: true, credentials });
}

/** What a test needs to look at a running local stack. */
export interface DevHandles {
  readonly client: Client;
  readonly clients: AwsClients;
  readonly batches: DynamoDbBatchStore;
}

export function connectTo(connection: Connection): DevHandles {
  const clients = createAwsClients(connection.endpoints, { local: true });
  return {
    client: Client.fromConnection(connection),
    clients,
    batches: new DynamoDbBatchStore({
      client: clients.dynamodb,
      tableName: connection.tables.batches,
    }),
  };
}
