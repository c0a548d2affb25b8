import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client } from '../../../lambdas/sdk/client.js';
import { type Connection, writeLocalConnection } from '../../../lambdas/sdk/connection.js';
import { createLocalDeployment } from '../support/local-aws.js';

export const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
export const FIXTURES = 'test/integration/cli/fixtures';

/** What a finished CLI process left. */
export interface CliResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** A data directory whose local.json (without pid) names fresh tables on the local servers. */
export interface CliFixture {
  readonly dataDir: string;
  readonly connection: Connection;
  /** An SDK client on the same tables, to prepare state the CLI cannot (storage locations). */
  readonly client: Client;
  /** Runs `bucketflow ARGS --data-dir DIR`. */
  run(args: readonly string[]): Promise<CliResult>;
  /** Runs `bucketflow ARGS --data-dir DIR` and parses its stdout as JSON, failing on a non-zero exit. */
  json<T = unknown>(args: readonly string[]): Promise<T>;
  /** Starts `bucketflow ARGS --data-dir DIR` in the background. */
  start(args: readonly string[]): ChildProcess;
  remove(): Promise<void>;
}

/** The environment of a CLI child: the test's, without any bucketflow connection variable. */
export function cliEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const name of Object.keys(env)) if (name.startsWith('BUCKETFLOW_')) delete env[name];
  return env;
}

/**
 * Runs the real CLI through tsx (`node --import tsx`, which starts about
 * twice as fast as `npx tsx`), from `cwd`.
 */
export function bucketflow(
  args: readonly string[],
  cwd = ROOT,
  env: NodeJS.ProcessEnv = cliEnv(),
): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', tsxLoader(), join(ROOT, 'bin/bucketflow.ts'), ...args],
      { cwd, env, encoding: 'utf8' },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : null) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

export async function createCliFixture(): Promise<CliFixture> {
  const { connection } = await createLocalDeployment('cli');
  const dataDir = await mkdtemp(join(tmpdir(), 'bucketflow-cli-'));
  await writeLocalConnection(dataDir, connection);
  const withDataDir = (args: readonly string[]) => [...args, '--data-dir', dataDir];
  const run = (args: readonly string[]) => bucketflow(withDataDir(args));
  return {
    dataDir,
    connection,
    client: Client.fromConnection(connection),
    run,
    json: async <T>(args: readonly string[]) => {
      const result = await run([...args, '--json']);
      if (result.code !== 0) {
        throw new Error(`bucketflow ${args.join(' ')} exited ${result.code}: ${result.stderr}`);
      }
      return JSON.parse(result.stdout) as T;
    },
    start: (args) =>
      spawn(
        process.execPath,
        ['--import', tsxLoader(), join(ROOT, 'bin/bucketflow.ts'), ...withDataDir(args)],
        { cwd: ROOT, env: cliEnv(), stdio: ['ignore', 'pipe', 'pipe'] },
      ),
    remove: () => rm(dataDir, { recursive: true, force: true }),
  };
}

/** Resolves once `child` wrote a line containing `text` to stdout; rejects if it exits first. */
export function waitForOutput(child: ChildProcess, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    let seen = '';
    let errors = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      errors += chunk.toString('utf8');
    });
    child.stdout?.on('data', (chunk: Buffer) => {
      seen += chunk.toString('utf8');
      if (seen.includes(text)) resolve(seen);
    });
    child.once('exit', (code) => {
      reject(new Error(`exited ${code} before printing '${text}': ${seen}${errors}`));
    });
  });
}

// Absolute, so that a CLI started outside the repository still loads TypeScript.
function tsxLoader(): string {
  return join(ROOT, 'node_modules/tsx/dist/loader.mjs');
}
