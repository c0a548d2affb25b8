import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { ensureTable } from '../lambdas/adapters/aws/dynamodb/table-definition.js';
import { jobsTable } from '../lambdas/adapters/aws/dynamodb/tables/jobs-table.js';
import {
  DYNAMODB_LOCAL_JVM_OPTIONS,
  startDynamoDbLocal,
} from '../lambdas/adapters/local/dynamodb-local-process.js';
import { freePort } from '../lambdas/adapters/local/local-servers.js';
import { mapConcurrent } from '../lambdas/core/collections.js';
import { type BenchSection, fmt } from './harness.js';
import { dynamoDbLocalPid, processCpuMs } from './support/process-cpu.js';

const TABLE = 'bench-jobs';
/** Items the requests go to, and requests of each kind per round. */
const ITEMS = 2_000;
const REQUESTS = 2_000;
const REQUEST_INDEXES = Array.from({ length: REQUESTS }, (_, i) => i);
/** Rounds of every request kind: the first meets a cold JVM, the last a warm one. */
const ROUNDS = 3;
/** Requests in flight, as a runner at concurrency 8 sends them. */
const IN_FLIGHT = 8;
/** An item about the size of a job with its inline root task. */
const PADDING = 'x'.repeat(600);

const VARIANTS = [
  { label: 'JVM defaults (tiered compiler, G1)', jvmOptions: [] as readonly string[] },
  {
    label: `bucketflow's (${DYNAMODB_LOCAL_JVM_OPTIONS.join(' ')})`,
    jvmOptions: DYNAMODB_LOCAL_JVM_OPTIONS,
  },
] as const;

type Request = (client: DynamoDBDocumentClient, i: number) => Promise<unknown>;

const KINDS: ReadonlyArray<{ name: string; send: Request }> = [
  {
    name: 'PutItem',
    send: (client, i) =>
      client.send(
        new PutCommand({
          TableName: TABLE,
          Item: { pk: `JOB#${i % ITEMS}`, sk: 'JOB', padding: PADDING, n: 0 },
        }),
      ),
  },
  {
    name: 'UpdateItem',
    send: (client, i) =>
      client.send(
        new UpdateCommand({
          TableName: TABLE,
          Key: { pk: `JOB#${i % ITEMS}`, sk: 'JOB' },
          UpdateExpression: 'ADD n :one',
          ExpressionAttributeValues: { ':one': 1 },
          ReturnValues: 'ALL_NEW',
        }),
      ),
  },
  {
    name: 'TransactWriteItems (2 items)',
    send: (client, i) =>
      client.send(
        new TransactWriteCommand({
          TransactItems: ['JOB', 'TASK'].map((sk) => ({
            Update: {
              TableName: TABLE,
              Key: { pk: `JOB#${i % ITEMS}`, sk },
              UpdateExpression: 'ADD n :one',
              ExpressionAttributeValues: { ':one': 1 },
            },
          })),
        }),
      ),
  },
  {
    name: 'GetItem',
    send: (client, i) =>
      client.send(new GetCommand({ TableName: TABLE, Key: { pk: `JOB#${i % ITEMS}`, sk: 'JOB' } })),
  },
];

/**
 * DynamoDB Local's CPU per request under the JVM's default options and
 * under the options bucketflow starts it with, from a cold start (round 1)
 * to a warm JVM (round 3): the server is single-threaded, so its CPU per
 * request bounds the local product's tasks/s.
 */
export async function run(): Promise<BenchSection[]> {
  const rows: Array<Record<string, string>> = [];
  const perVariant: number[][] = [];
  for (const variant of VARIANTS) {
    const figures = await measure(variant.jvmOptions);
    perVariant.push(figures.map((figure) => figure.cpuMs));
    for (const figure of figures) {
      rows.push({
        'JVM options': variant.label,
        round: String(figure.round),
        request: figure.kind,
        'CPU ms/request': fmt(figure.cpuMs, 2),
        'requests/s': fmt(figure.perSecond),
      });
    }
  }
  const [defaults = [], ours = []] = perVariant;
  const coldRounds = KINDS.length;
  const sum = (values: number[]) => values.reduce((total, value) => total + value, 0);
  const coldRatio = sum(ours.slice(0, coldRounds)) / sum(defaults.slice(0, coldRounds));
  const warmRatio = sum(ours.slice(-coldRounds)) / sum(defaults.slice(-coldRounds));
  return [
    {
      title: `DynamoDB Local: CPU per request by JVM options, ${fmt(REQUESTS)} requests of each kind per round, ${IN_FLIGHT} in flight`,
      rows,
      checks: [
        {
          name: "round 1 (cold JVM): bucketflow's options cost less CPU than the JVM defaults",
          pass: coldRatio < 1,
          detail: `CPU ratio ours / defaults ${fmt(coldRatio, 2)}`,
        },
      ],
      notes: [
        'CPU = user + system time of the DynamoDB Local JVM (from /proc) over the round, divided by its requests; in memory, the jobs table with its two indexes',
        'a local run or a test world starts DynamoDB Local afresh and sends it a few thousand requests, so round 1 is the figure that counts',
        `round ${ROUNDS} (warm JVM), the price of the C1 compiler alone: CPU ratio ours / defaults ${fmt(warmRatio, 2)}`,
      ],
    },
  ];
}

interface Figure {
  readonly round: number;
  readonly kind: string;
  readonly cpuMs: number;
  readonly perSecond: number;
}

async function measure(jvmOptions: readonly string[]): Promise<Figure[]> {
  const port = await freePort();
  const server = await startDynamoDbLocal({ port, jvmOptions });
  const endpoint = `http://127.0.0.1:${port}`;
  const dynamodb = new DynamoDBClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' },
  });
  const client = DynamoDBDocumentClient.from(dynamodb);
  try {
    await ensureTable(dynamodb, jobsTable, TABLE);
    const pid = await dynamoDbLocalPid(endpoint);
    const figures: Figure[] = [];
    for (let round = 1; round <= ROUNDS; round++) {
      for (const kind of KINDS) {
        const cpuBefore = await processCpuMs(pid);
        const started = performance.now();
        await mapConcurrent(REQUEST_INDEXES, IN_FLIGHT, (i) => kind.send(client, i));
        const elapsedMs = performance.now() - started;
        const cpuMs = ((await processCpuMs(pid)) - cpuBefore) / REQUESTS;
        figures.push({ round, kind: kind.name, cpuMs, perSecond: (REQUESTS * 1000) / elapsedMs });
      }
    }
    return figures;
  } finally {
    dynamodb.destroy();
    await server.stop();
  }
}
