import { readFileSync } from 'node:fs';
import { chmod, mkdir, rename, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import type { AwsEndpoints } from '../adapters/aws/aws-clients.js';
import { ENV, tableEnvironmentName } from '../adapters/aws/deployment-environment.js';
import { TASK_QUEUE_PREFIX } from '../adapters/aws/queues/task-queue-names.js';
import { ValidationError } from '../core/errors.js';
import { NoConnectionError } from './errors.js';

/** Where `bucketflow dev` keeps its state when no `--data-dir` is given. */
export const DEFAULT_DATA_DIR = '.bucketflow';
/** The file `bucketflow dev` writes into its data directory once the local stack is ready. */
export const LOCAL_CONNECTION_FILE = 'local.json';
/** Environment variable naming the data directory of a running `bucketflow dev`. */
export const DATA_DIR_ENV = 'BUCKETFLOW_DATA_DIR';

/**
 * Everything a client, a runner or the CLI needs to reach one bucketflow:
 * the API endpoints (left out on AWS), the physical table names, the task
 * queue prefix and the bucket or folder holding job caches.
 */
export interface Connection {
  readonly kind: 'local' | 'aws';
  readonly endpoints: AwsEndpoints;
  readonly tables: {
    readonly jobs: string;
    readonly automations: string;
    readonly batches: string;
  };
  readonly taskQueuePrefix: string;
  /** S3 bucket of job caches (`BUCKETFLOW_CACHE_BUCKET` on AWS). */
  readonly cacheBucket?: string | undefined;
  /**
   * The ingest queue (`BUCKETFLOW_INGEST_QUEUE_URL` on AWS), for backfills and
   * its dead-letter queue; its DLQ is found through its redrive policy.
   */
  readonly ingestQueueUrl?: string | undefined;
  /** AWS only: the log groups of the Lambda task runners (from the stack output), for `jobs logs`. */
  readonly taskLogGroups?: readonly string[] | undefined;
  /** Local mode only: the URL of the web console and the folders watched for files. */
  readonly console?: string | undefined;
  readonly folders?: Readonly<Record<string, string>> | undefined;
  /** Local mode only: process id of the `bucketflow dev` that wrote the file. */
  readonly pid?: number | undefined;
  /**
   * Local mode only: the data directory the connection was read from, so a
   * client can read `local.json` again when `bucketflow dev` restarts.
   */
  readonly dataDir?: string | undefined;
}

const connectionSchema = z.object({
  kind: z.enum(['local', 'aws']),
  endpoints: z.object({
    region: z.string().min(1),
    dynamodb: z.string().optional(),
    sqs: z.string().optional(),
    s3: z.string().optional(),
    credentials: z
      .object({ accessKeyId: z.string().min(1), secretAccessKey: z.string().min(1) })
      .optional(),
  }),
  tables: z.object({
    jobs: z.string().min(1),
    automations: z.string().min(1),
    batches: z.string().min(1),
  }),
  taskQueuePrefix: z.string().min(1),
  cacheBucket: z.string().optional(),
  ingestQueueUrl: z.string().optional(),
  taskLogGroups: z.array(z.string()).optional(),
  console: z.string().optional(),
  folders: z.record(z.string(), z.string()).optional(),
  pid: z.number().int().optional(),
  dataDir: z.string().optional(),
});

/** Where to look for a connection; both default to the process's. */
export interface ResolveConnectionOptions {
  /** `--data-dir`: read `<dir>/local.json`, and fail when it is missing. */
  readonly dataDir?: string | undefined;
  readonly env?: Readonly<Record<string, string | undefined>>;
  readonly cwd?: string;
}

/**
 * Finds the bucketflow to talk to, in this order: an explicit data directory
 * (`--data-dir`, then `BUCKETFLOW_DATA_DIR`), a deployed stack named by the
 * environment (`BUCKETFLOW_JOBS_TABLE` and friends, as the Lambda functions
 * get them), then `./.bucketflow/local.json` of a `bucketflow dev` started in
 * the working directory.
 *
 * @example
 * ```ts
 * const client = Client.fromConnection(resolveConnection({ dataDir: '.bucketflow' }));
 * ```
 */
export function resolveConnection(options: ResolveConnectionOptions = {}): Connection {
  const env = options.env ?? process.env;
  const cwd = options.cwd ?? process.cwd();
  const explicit = options.dataDir ?? env[DATA_DIR_ENV];
  if (explicit !== undefined && explicit !== '') {
    return readLocalConnection(resolve(cwd, explicit), { required: true }) as Connection;
  }
  const aws = awsConnectionFromEnv(env);
  if (aws) return aws;
  const local = readLocalConnection(resolve(cwd, DEFAULT_DATA_DIR), { required: false });
  if (local) return local;
  throw new NoConnectionError(
    'connection',
    `no running local stack (${join(DEFAULT_DATA_DIR, LOCAL_CONNECTION_FILE)} is missing) and no deployed stack in the environment`,
    `start one with 'npm start' (bucketflow dev), pass --data-dir DIR of a running one, or set AWS_REGION and ${tableEnvironmentName('jobs')}, ${tableEnvironmentName('automations')}, ${tableEnvironmentName('batches')} to the stack outputs (docs/deploy.md)`,
  );
}

/** The deployed stack named by the environment, or `undefined` when no table variable is set. */
export function awsConnectionFromEnv(
  env: Readonly<Record<string, string | undefined>>,
): Connection | undefined {
  const names = {
    jobs: env[tableEnvironmentName('jobs')],
    automations: env[tableEnvironmentName('automations')],
    batches: env[tableEnvironmentName('batches')],
  };
  if (Object.values(names).every((value) => value === undefined)) return undefined;
  for (const [id, value] of Object.entries(names)) {
    if (!value) {
      throw new ValidationError(
        `environment ${tableEnvironmentName(id)}`,
        'is not set while the other bucketflow table variables are',
        'set all three from the stateful stack outputs (docs/deploy.md)',
      );
    }
  }
  const region = env.AWS_REGION ?? env.AWS_DEFAULT_REGION;
  if (!region) {
    throw new ValidationError(
      'environment AWS_REGION',
      'is not set',
      'set it to the region the stack is deployed in',
    );
  }
  return {
    kind: 'aws',
    endpoints: { region },
    tables: names as Connection['tables'],
    taskQueuePrefix: env[ENV.taskQueuePrefix] || TASK_QUEUE_PREFIX,
    cacheBucket: env[ENV.cacheBucket] || undefined,
    ingestQueueUrl: env[ENV.ingestQueueUrl] || undefined,
  };
}

/**
 * Reads `<dataDir>/local.json`. With `required`, a missing file is an error
 * that says how to start the local stack; a file left by a stopped
 * `bucketflow dev` is always an error.
 */
export function readLocalConnection(
  dataDir: string,
  { required }: { required: boolean },
): Connection | undefined {
  const path = join(dataDir, LOCAL_CONNECTION_FILE);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    if (!required) return undefined;
    throw new NoConnectionError(
      'data-dir',
      `${path} does not exist: no bucketflow dev is running with this data directory`,
      `start one with 'npm start -- --data-dir ${dataDir}', or point --data-dir at the directory of a running one`,
    );
  }
  const parsed = connectionSchema.safeParse(safeJson(text));
  if (!parsed.success) {
    throw new NoConnectionError(
      'data-dir',
      `${path} is not a bucketflow connection file (${parsed.error.issues[0]?.message ?? 'invalid'})`,
      'delete it and restart bucketflow dev',
    );
  }
  const connection = { ...(parsed.data as Connection), dataDir };
  if (connection.pid !== undefined && !processAlive(connection.pid)) {
    throw new NoConnectionError(
      'data-dir',
      `${path} was written by bucketflow dev (pid ${connection.pid}), which is no longer running`,
      `start it again with 'npm start' (state is kept in ${dataDir})`,
    );
  }
  return connection;
}

/**
 * Writes `<dataDir>/local.json` atomically, so a reader never sees half a
 * file, readable by its owner only (mode 0600): it holds the credentials the
 * local servers accept.
 */
export async function writeLocalConnection(
  dataDir: string,
  connection: Connection,
): Promise<string> {
  await mkdir(dataDir, { recursive: true });
  const path = join(dataDir, LOCAL_CONNECTION_FILE);
  const temporary = `${path}.${process.pid}.tmp`;
  const { dataDir: _readFrom, ...stored } = connection;
  await writeFile(temporary, `${JSON.stringify(stored, null, 2)}\n`, { mode: 0o600 });
  await chmod(temporary, 0o600);
  await rename(temporary, path);
  return path;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** Whether a process with this id exists (EPERM: it does, under another user). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
