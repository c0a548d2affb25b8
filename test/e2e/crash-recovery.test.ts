import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { destroyAwsClients } from '../../lambdas/adapters/aws/aws-clients.js';
import type { StoredJob } from '../../lambdas/core/ports/job-store.js';
import type { Connection } from '../../lambdas/sdk/connection.js';
import {
  connectTo,
  type DevHandles,
  type DevProcess,
  s3ClientFor,
  startDevProcess,
  waitFor,
  waitForConnection,
} from './dev-process.js';

const CONFIG = 'test/e2e/fixtures/e2e.config.ts';
const PER_SIDE = 100;
/** 200 jobs and 40 batches on a loaded 2-core machine, after two crashes. */
const RECOVERY_WAIT_MS = 300_000;
const UPLOAD_CONCURRENCY = 8;

const name = (index: number) => `part-${String(index).padStart(3, '0')}.txt`;
const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i);

interface Trigger {
  readonly bucket: string;
  readonly key?: string;
  readonly prefix?: string;
  readonly keys?: readonly string[];
}

/**
 * `bucketflow dev` killed with SIGKILL (the whole process group, DynamoDB Local
 * included) right after S3 PUTs were answered and files were written, and again
 * while it replays what the first crash left: nothing acknowledged is lost and
 * nothing runs twice.
 */
describe('bucketflow dev after kill -9', () => {
  let dataDir: string;
  let dev: DevProcess;
  let connection: Connection;
  let handles: DevHandles | undefined;
  const started: DevProcess[] = [];

  const start = async () => {
    if (handles) destroyAwsClients(handles.clients);
    const spawnedAt = Date.now();
    dev = startDevProcess(dataDir, CONFIG);
    started.push(dev);
    connection = await waitForConnection(dev, dataDir);
    handles = connectTo(connection);
    return Date.now() - spawnedAt;
  };

  const upload = async (indexes: readonly number[]) => {
    const s3 = s3ClientFor(connection);
    const queue = [...indexes];
    const worker = async () => {
      for (let index = queue.shift(); index !== undefined; index = queue.shift()) {
        await s3.send(
          new PutObjectCommand({
            Bucket: 'demo',
            Key: `runs/s3k9/${name(index)}`,
            Body: `object ${index}`,
          }),
        );
      }
    };
    await Promise.all(Array.from({ length: UPLOAD_CONCURRENCY }, worker));
    s3.destroy();
  };

  const drop = async (folder: string, indexes: readonly number[]) => {
    for (const index of indexes) await writeFile(join(folder, name(index)), `file ${index}\n`);
  };

  const jobsOf = async (automation: string): Promise<StoredJob[]> => {
    if (!handles) return [];
    const found = (await handles.client.automations.list()).find((a) => a.name === automation);
    if (!found) return [];
    const page = await handles.client.jobs.query({
      from: 0,
      to: Date.now() + 60_000,
      automationId: found.id,
      limit: 1000,
    });
    return [...page.jobs];
  };

  const triggerOf = (job: StoredJob) => JSON.parse(job.triggerJson ?? '{}') as Trigger;

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'bucketflow-kill9-'));
  });

  afterAll(async () => {
    for (const child of started) await child.kill();
    if (handles) destroyAwsClients(handles.clients);
    await rm(dataDir, { recursive: true, force: true });
  });

  it('runs every answered upload and every dropped file once, each in its batch', async () => {
    // Prepare
    await start();
    const folder = join(connection.folders?.inbox ?? '', 'runs', 'fk9');
    await mkdir(folder, { recursive: true });

    // Act: crash right after half the PUTs were answered and half the files written.
    await Promise.all([upload(range(0, PER_SIDE / 2)), drop(folder, range(0, PER_SIDE / 2))]);
    await dev.kill();
    // Files that arrive while nothing runs; then a crash during the replay.
    await drop(folder, range(PER_SIDE / 2, PER_SIDE));
    await start();
    await dev.kill();
    const restartMs = await start();
    const recoveryStart = Date.now();
    await upload(range(PER_SIDE / 2, PER_SIDE));
    const storageJobs = await waitFor(
      async () => {
        const jobs = await jobsOf('word-count');
        const done = jobs.filter((job) => job.state === 'COMPLETED');
        return done.length >= 2 * PER_SIDE ? jobs : undefined;
      },
      `${2 * PER_SIDE} completed word-count jobs`,
      RECOVERY_WAIT_MS,
      () => dev.output(),
    );
    const recoveryMs = Date.now() - recoveryStart;
    const batchJobs = await waitFor(
      async () => {
        const jobs = (await jobsOf('demo-runs')).concat(await jobsOf('inbox-runs'));
        return jobs.length >= (2 * PER_SIDE) / 5 ? jobs : undefined;
      },
      'forty batch jobs',
      RECOVERY_WAIT_MS,
      () => dev.output(),
    );

    // Assess
    const expected = (bucket: string, prefix: string) =>
      range(0, PER_SIDE).map((index) => `${bucket}:${prefix}${name(index)}`);
    const storageKeys = storageJobs.map((job) => `${triggerOf(job).bucket}:${triggerOf(job).key}`);
    expect(storageKeys.sort()).toEqual(
      [...expected('demo', 'runs/s3k9/'), ...expected('inbox', 'runs/fk9/')].sort(),
    );
    expect(storageJobs.every((job) => job.state === 'COMPLETED')).toBe(true);
    const members = batchJobs.flatMap((job) => {
      const trigger = triggerOf(job);
      return (trigger.keys ?? []).map((key) => `${trigger.bucket}:${key}`);
    });
    expect(members.sort()).toEqual(storageKeys.sort());
    console.info(
      `kill -9 recovery: restart to ready ${(restartMs / 1000).toFixed(1)} s, ` +
        `${2 * PER_SIDE} jobs completed ${(recoveryMs / 1000).toFixed(1)} s after ready`,
    );
  }, 900_000);
});
