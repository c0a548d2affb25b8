import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { LOCAL_CONNECTION_FILE, processAlive } from '../../lambdas/sdk/connection.js';
import { DevStackError } from './errors.js';

/**
 * Refuses to start on a data directory whose `local.json` names another
 * `bucketflow dev` that is still running: two DynamoDB Local processes on
 * the same files would corrupt them. A file left by a process that died is
 * ignored (and replaced once the new stack is ready).
 *
 * @example
 * ```ts
 * await assertNotRunning('/repo/.bucketflow');
 * ```
 */
export async function assertNotRunning(dataDir: string): Promise<void> {
  let pid: unknown;
  try {
    pid = (
      JSON.parse(await readFile(join(dataDir, LOCAL_CONNECTION_FILE), 'utf8')) as { pid?: unknown }
    ).pid;
  } catch {
    return;
  }
  if (typeof pid !== 'number' || pid === process.pid || !processAlive(pid)) return;
  throw new DevStackError(
    `bucketflow dev is already running on ${dataDir} (pid ${pid}): stop it first, or pass another --data-dir`,
  );
}
