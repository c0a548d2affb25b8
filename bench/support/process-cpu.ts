import { readdir, readFile } from 'node:fs/promises';

/** Clock ticks per second of /proc/<pid>/stat times (USER_HZ, 100 on Linux). */
const TICKS_PER_SECOND = 100;

/** CPU a run cost, by process, in ms (user + system). */
export interface RunCpu {
  /** DynamoDB Local's JVM; NaN where /proc is not there to read. */
  readonly dynamodb: number;
  /** The bench process: the SQS and S3 servers, the submitter, and an in-process runner. */
  readonly bench: number;
  /** The runner processes, summed. */
  readonly runners: number;
}

/**
 * The pid of the DynamoDB Local JVM that listens on `endpoint`'s port, found
 * by its `-port` argument in /proc (Linux); undefined elsewhere.
 *
 * @example
 * ```ts
 * const pid = await dynamoDbLocalPid(servers.endpoints.dynamodb); // 4242
 * ```
 */
export async function dynamoDbLocalPid(endpoint: string | undefined): Promise<number | undefined> {
  if (endpoint === undefined) return undefined;
  const port = new URL(endpoint).port;
  let entries: string[];
  try {
    entries = await readdir('/proc');
  } catch {
    return undefined;
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    const args = await readFile(`/proc/${entry}/cmdline`, 'utf8').then(
      (text) => text.split('\0'),
      (): string[] => [],
    );
    const at = args.indexOf('-port');
    if (args[0]?.endsWith('java') && at >= 0 && args[at + 1] === port) return Number(entry);
  }
  return undefined;
}

/** CPU time `pid` has used so far, in ms; NaN when it cannot be read. */
export async function processCpuMs(pid: number | undefined): Promise<number> {
  if (pid === undefined) return Number.NaN;
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    // Fields after the parenthesised command name; utime and stime are fields 14 and 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]);
    return (ticks * 1000) / TICKS_PER_SECOND;
  } catch {
    return Number.NaN;
  }
}

/** This process's CPU time so far, in ms. */
export function ownCpuMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}
