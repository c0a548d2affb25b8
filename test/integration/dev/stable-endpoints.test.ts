import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DATA_FILES } from '../../../bin/dev/dev-constants.js';
import {
  choosePorts,
  loadEndpointMemory,
  saveEndpointMemory,
} from '../../../bin/dev/endpoint-memory.js';
import { freePort } from '../../../lambdas/adapters/local/local-servers.js';
import { type Connection, writeLocalConnection } from '../../../lambdas/sdk/connection.js';
import { reconnectingLocalClients } from '../../../lambdas/sdk/local-reconnect.js';
import { createLocalDeployment } from '../support/local-aws.js';

function occupy(port: number): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
}

describe('stable endpoints of bucketflow dev', () => {
  let dataDir: string;

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'bucketflow-endpoints-'));
  });

  afterAll(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  it('remembers ports and credentials per data directory in a file only its owner reads', async () => {
    // Prepare
    const first = await loadEndpointMemory(dataDir);
    const { ports } = await choosePorts({}, first.ports);

    // Act
    await saveEndpointMemory(dataDir, { ports, credentials: first.credentials });
    const again = await loadEndpointMemory(dataDir);

    // Assess
    expect(first.ports).toEqual({});
    expect(again).toEqual({ ports, credentials: first.credentials });
    expect((await stat(join(dataDir, DATA_FILES.endpoints))).mode & 0o777).toBe(0o600);
  });

  it('reuses last time’s free ports, picks another for a taken one, and a requested port wins', async () => {
    // Prepare: last time's four ports, one of them now taken by another process
    const remembered = {
      dynamodb: await freePort(),
      sqs: await freePort(),
      s3: await freePort(),
      console: await freePort(),
    };
    const squatter = await occupy(remembered.sqs);
    const requestedS3 = await freePort();

    try {
      // Act
      const { ports, reused } = await choosePorts({ s3: requestedS3 }, remembered);

      // Assess
      expect(ports.dynamodb).toBe(remembered.dynamodb);
      expect(ports.console).toBe(remembered.console);
      expect(ports.sqs).not.toBe(remembered.sqs);
      expect(ports.s3).toBe(requestedS3);
      expect(reused.sort()).toEqual(['console', 'dynamodb']);
      expect(new Set(Object.values(ports)).size).toBe(4);
    } finally {
      squatter.close();
    }
  });

  it('starts afresh from a damaged memory file', async () => {
    // Prepare
    const damaged = await mkdtemp(join(tmpdir(), 'bucketflow-endpoints-damaged-'));
    await writeFile(join(damaged, DATA_FILES.endpoints), '{"ports": {"sqs": "x"');

    // Act
    const memory = await loadEndpointMemory(damaged);

    // Assess
    expect(memory.ports).toEqual({});
    expect(memory.credentials.accessKeyId).toMatch(/^[A-Za-z0-9]+$/);
    await rm(damaged, { recursive: true, force: true });
  });

  it('follows local.json to the restarted servers and says so once when lost and once when back', async () => {
    // Prepare: the client knows endpoints of a stopped dev; local.json names the running servers
    const { connection } = await createLocalDeployment('reconnect');
    const followDir = await mkdtemp(join(tmpdir(), 'bucketflow-follow-'));
    await writeLocalConnection(followDir, connection);
    const stopped: Connection = {
      ...connection,
      dataDir: followDir,
      endpoints: { ...connection.endpoints, dynamodb: `http://127.0.0.1:${await freePort()}` },
    };
    const notices: string[] = [];
    const clients = reconnectingLocalClients(stopped, {
      notify: (message) => notices.push(message),
      maxWaitMs: 60_000,
    });

    // Act: two requests at once, both while the old endpoint refuses connections. DescribeTable,
    // not ListTables: a listing pages at 100 names, and the shared server holds more tables.
    const describeJobs = () =>
      clients.dynamodb.send(new DescribeTableCommand({ TableName: connection.tables.jobs }));
    const [first, second] = await Promise.all([describeJobs(), describeJobs()]);

    // Assess
    expect(first.Table?.TableName).toBe(connection.tables.jobs);
    expect(second.Table?.TableName).toBe(connection.tables.jobs);
    expect(notices).toHaveLength(2);
    expect(notices[0]).toMatch(/cannot reach bucketflow dev .*ECONNREFUSED.*local\.json/);
    expect(notices[1]).toBe(`reconnected to bucketflow dev (${connection.endpoints.dynamodb})`);
    await rm(followDir, { recursive: true, force: true });
  });
});
