import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createAwsClients, destroyAwsClients } from '../../lambdas/adapters/aws/aws-clients.js';
import { ensureTable } from '../../lambdas/adapters/aws/dynamodb/table-definition.js';
import { automationsTable } from '../../lambdas/adapters/aws/dynamodb/tables/automations-table.js';
import { jobsTable } from '../../lambdas/adapters/aws/dynamodb/tables/jobs-table.js';
import {
  type LocalServers,
  startLocalServers,
} from '../../lambdas/adapters/local/local-servers.js';
import { type Connection, writeLocalConnection } from '../../lambdas/sdk/connection.js';
import {
  type AccountedClient,
  accountedClient,
  type BenchRunnerSettings,
  type RunnerEvents,
} from './bench-runner-client.js';
import { dynamoDbLocalPid } from './process-cpu.js';
import { type RunnerHost, startInProcessRunner, startProcessRunner } from './runner-hosts.js';

/** Starts the runners of one run on `cluster`, reporting to `events`; resolves once all are ready. */
export type StartRunners = (cluster: string, events: RunnerEvents) => Promise<RunnerHost[]>;

/** Runner settings without the cluster, which each run creates afresh. */
export type RunnerSettings = Omit<BenchRunnerSettings, 'cluster'>;

/**
 * What every runner bench shares: the local servers, fresh tables, a
 * local.json that runner processes resolve, the accounted submitter, and
 * every runner host started, so that `close()` leaves nothing running.
 */
export interface RunnerBenchSession {
  readonly connection: Connection;
  readonly submitter: AccountedClient;
  /** DynamoDB Local's JVM, whose CPU time runs report; undefined where /proc cannot tell. */
  readonly dynamoDbPid: number | undefined;
  /** The runner in the bench process (the baseline). */
  inProcess(settings: RunnerSettings): StartRunners;
  /** `count` runner processes, `node --import tsx` each. */
  processes(count: number, settings: RunnerSettings): StartRunners;
  /** Kills every runner still running, stops the servers and removes the data folder. */
  close(): Promise<void>;
}

/**
 * Opens a session; `name` goes into table and queue names.
 *
 * @example
 * ```ts
 * const session = await openRunnerBenchSession('dispatch');
 * try { ... } finally { await session.close(); }
 * ```
 */
export async function openRunnerBenchSession(name: string): Promise<RunnerBenchSession> {
  const servers = await startLocalServers();
  const dataDir = await mkdtemp(join(tmpdir(), `bucketflow-bench-${name}-`));
  const hosts: RunnerHost[] = [];
  const close = async () => {
    for (const host of hosts) host.kill();
    submitter?.destroy();
    await servers.stop();
    await rm(dataDir, { recursive: true, force: true });
  };
  let submitter: AccountedClient | undefined;
  try {
    const connection = await benchConnection(servers, dataDir, name);
    const side = accountedClient(connection);
    submitter = side;
    const track = async (started: Promise<RunnerHost[]>) => {
      const list = await started;
      hosts.push(...list);
      return list;
    };
    return {
      connection,
      submitter: side,
      dynamoDbPid: await dynamoDbLocalPid(servers.endpoints.dynamodb),
      inProcess: (settings) => (cluster, events) =>
        track(
          startInProcessRunner(connection, { ...settings, cluster }, events).then((host) => [host]),
        ),
      processes: (count, settings) => (cluster, events) =>
        track(
          Promise.all(
            Array.from({ length: count }, () =>
              startProcessRunner(dataDir, { ...settings, cluster }, events),
            ),
          ),
        ),
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}

/** Unique tables on the local servers, and a local.json the worker processes resolve. */
async function benchConnection(
  servers: LocalServers,
  dataDir: string,
  name: string,
): Promise<Connection> {
  const stamp = `${Date.now().toString(36)}${process.pid}`;
  const connection: Connection = {
    kind: 'local',
    endpoints: servers.endpoints,
    tables: {
      jobs: `bench-${name}-jobs-${stamp}`,
      automations: `bench-${name}-automations-${stamp}`,
      // Required by the connection format; runners never read the batches table.
      batches: `bench-${name}-batches-${stamp}`,
    },
    taskQueuePrefix: `bench-${stamp}-`,
  };
  const clients = createAwsClients(servers.endpoints, { local: true });
  try {
    await Promise.all([
      ensureTable(clients.dynamodb, jobsTable, connection.tables.jobs),
      ensureTable(clients.dynamodb, automationsTable, connection.tables.automations),
    ]);
  } finally {
    destroyAwsClients(clients);
  }
  await writeLocalConnection(dataDir, connection);
  return connection;
}
