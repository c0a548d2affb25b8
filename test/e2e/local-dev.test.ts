import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { destroyAwsClients } from '../../lambdas/adapters/aws/aws-clients.js';
import type { OpenBatchRecord } from '../../lambdas/core/ports/batch-store.js';
import type { StoredJob } from '../../lambdas/core/ports/job-store.js';
import type { Connection } from '../../lambdas/sdk/connection.js';
import { FAR_FUTURE_MS } from '../integration/batches/batch-fixtures.js';
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
/** Cron fires every minute: the first fire time after start-up is at most a minute away. */
const CRON_WAIT_MS = 120_000;
/** Usually seconds; under `npm run bench` load three uploads took more than 60 s to complete. */
const JOB_WAIT_MS = 150_000;

/** Eight uploads at once; under load the last job finished more than 45 s later. */
const KEYS_WAIT_MS = 150_000;

interface BatchTrigger {
  readonly prefix: string;
  readonly count: number;
  readonly reason: string;
  readonly keys: readonly string[];
}

describe('bucketflow dev', () => {
  let dataDir: string;
  let dev: DevProcess;
  let connection: Connection;
  let handles: DevHandles;
  const started: DevProcess[] = [];

  const start = async () => {
    dev = startDevProcess(dataDir, CONFIG);
    started.push(dev);
    connection = await waitForConnection(dev, dataDir);
    handles = connectTo(connection);
  };

  const automationId = async (name: string) => {
    const automation = (await handles.client.automations.list()).find((a) => a.name === name);
    if (!automation) throw new Error(`no automation ${name}:\n${dev.output()}`);
    return automation.id;
  };

  const jobsOf = async (name: string): Promise<StoredJob[]> => {
    const page = await handles.client.jobs.query({
      from: 0,
      to: Date.now() + 60_000,
      automationId: await automationId(name),
      limit: 1000,
    });
    return [...page.jobs];
  };

  const triggerOf = <T>(job: StoredJob): T => JSON.parse(job.triggerJson ?? '{}') as T;

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'bucketflow-e2e-'));
    await start();
  });

  afterAll(async () => {
    for (const child of started) await child.kill();
    if (handles) destroyAwsClients(handles.clients);
    await rm(dataDir, { recursive: true, force: true });
  });

  it('runs one completed StorageEventTask job per .txt object uploaded through the S3 API', async () => {
    // Prepare
    const s3 = s3ClientFor(connection);
    const keys = ['hello.txt', 'notes/today.txt', 'deep/a/b/words.txt'];

    // Act
    for (const key of [...keys, 'picture.png']) {
      await s3.send(
        new PutObjectCommand({ Bucket: 'demo', Key: key, Body: `three little words ${key}` }),
      );
    }

    // Assess
    const jobs = await waitFor(
      async () => {
        const found = await jobsOf('word-count');
        const done = found.filter((job) => job.state === 'COMPLETED');
        return done.length >= keys.length ? found : undefined;
      },
      'the word-count jobs',
      JOB_WAIT_MS,
      () => dev.output(),
    );
    const byKey = jobs.map((job) => triggerOf<{ key: string; bucket: string }>(job));
    expect(byKey.map((trigger) => trigger.key).sort()).toEqual([...keys].sort());
    expect(jobs.every((job) => job.state === 'COMPLETED')).toBe(true);
    const [root] = await handles.client.jobs.tasks(jobs[0]?.jobId ?? '');
    expect(root?.identifier.name).toBe('examples/WordCount');
    expect(root?.display).toMatch(/^demo\/.+: 4 words, 1 lines/);
    s3.destroy();
  });

  it('gives each job exactly its object for keys with +, %, spaces, NFC/NFD and 1,024 bytes', async () => {
    // Prepare: each object holds a marker and as many words as its place in the list.
    const long = `keys/${'L'.repeat(200)}/`.repeat(4);
    const keys = [
      'keys/a+b=c.txt',
      'keys/100%.txt',
      'keys/50%off.txt',
      'keys/a%2Fb.txt',
      'keys/sp ace.txt',
      'keys/caf\u00e9.txt',
      'keys/cafe\u0301.txt',
      `${long}${'k'.repeat(1024 - long.length - 4)}.txt`,
    ];
    expect(Buffer.byteLength(keys.at(-1) ?? '')).toBe(1024);
    const s3 = s3ClientFor(connection);

    // Act
    for (const [index, key] of keys.entries()) {
      await s3.send(
        new PutObjectCommand({
          Bucket: 'demo',
          Key: key,
          Body: `marker-${index}${' w'.repeat(index)}`,
        }),
      );
    }
    s3.destroy();

    // Assess
    const jobs = await waitFor(
      async () => {
        const found = (await jobsOf('word-count')).filter((job) =>
          keys.includes(triggerOf<{ key: string }>(job).key),
        );
        return found.filter((job) => job.state !== 'QUEUED' && job.state !== 'STARTED').length >=
          keys.length
          ? found
          : undefined;
      },
      'a finished job per odd key',
      KEYS_WAIT_MS,
      () => dev.output(),
    );
    const readBack = new Map<string, string>();
    for (const job of jobs) {
      const [root] = await handles.client.jobs.tasks(job.jobId);
      readBack.set(triggerOf<{ key: string }>(job).key, `${job.state} ${root?.display ?? ''}`);
    }
    expect(jobs).toHaveLength(keys.length);
    for (const [index, key] of keys.slice(0, -1).entries()) {
      expect(readBack.get(key)).toContain(`COMPLETED demo/${key}: ${index + 1} words`);
      expect(readBack.get(key)).toContain(`("marker-${index}`);
    }
    // A display holds at most 1,024 characters: the longest key's is cut short, but the job
    // completed, so it read its object (a missing one fails the task).
    expect(readBack.get(keys.at(-1) ?? '')).toMatch(/^COMPLETED demo\/keys\/L{200}\/keys\//);
  });

  it('batches 12 files copied into a watched folder as 5, 5 and 2, the last closed by quiet time', async () => {
    // Prepare
    const folder = join(connection.folders?.inbox ?? '', 'runs', 'r12');
    await mkdir(folder, { recursive: true });

    // Act
    for (let index = 1; index <= 12; index++) {
      await writeFile(
        join(folder, `part-${String(index).padStart(2, '0')}.txt`),
        `part ${index}\n`,
      );
    }

    // Assess
    const batches = await waitFor(
      async () => {
        const found = (await jobsOf('inbox-runs'))
          .filter((job) => job.state === 'COMPLETED')
          .map((job) => triggerOf<BatchTrigger>(job))
          .filter((trigger) => trigger.prefix === 'runs/r12/');
        return found.length >= 3 ? found : undefined;
      },
      'three inbox batches',
      JOB_WAIT_MS,
      () => dev.output(),
    );
    const summary = batches
      .map((batch) => `${batch.count}:${batch.reason}`)
      .sort((a, b) => b.localeCompare(a));
    expect(summary).toEqual(['5:count', '5:count', '2:quiet']);
    expect(new Set(batches.flatMap((batch) => batch.keys)).size).toBe(12);
    const events = (await readFile(join(dataDir, 'events.jsonl'), 'utf8'))
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { detail: { prefix: string; count: number } })
      .filter((event) => event.detail.prefix === 'runs/r12/');
    expect(events.map((event) => event.detail.count).sort()).toEqual([2, 5, 5]);
    const storageJobs = (await jobsOf('word-count')).filter(
      (job) => triggerOf<{ bucket: string }>(job).bucket === 'inbox',
    );
    expect(storageJobs).toHaveLength(12);
  });

  it('runs a job for the cron automation every minute', async () => {
    // Act
    const job = await waitFor(
      async () => (await jobsOf('heartbeat')).find((candidate) => candidate.state === 'COMPLETED'),
      'a completed heartbeat job',
      CRON_WAIT_MS,
      () => dev.output(),
    );

    // Assess
    const trigger = triggerOf<{ kind: string; fireTime: string }>(job);
    expect(trigger.kind).toBe('cron');
    expect(new Date(trigger.fireTime).getUTCSeconds()).toBe(0);
  });

  it('stops on SIGINT and keeps automations, jobs and open batches across a restart', async () => {
    // Prepare
    const s3 = s3ClientFor(connection);
    for (const key of ['hold/one.bin', 'hold/two.bin']) {
      await s3.send(new PutObjectCommand({ Bucket: 'demo', Key: key, Body: key }));
    }
    s3.destroy();
    const holdId = await automationId('e2e-hold');
    const openHold = async (): Promise<OpenBatchRecord | undefined> =>
      (await handles.batches.findDue(FAR_FUTURE_MS, 1000)).find(
        (batch) => batch.automationId === holdId && batch.prefix === 'hold/' && batch.count === 2,
      );
    const open = await waitFor(openHold, 'the open hold/ batch', JOB_WAIT_MS, () => dev.output());
    const automationsBefore = (await handles.client.automations.list()).map((a) => a.id).sort();
    const jobsBefore = await jobsOf('word-count');
    destroyAwsClients(handles.clients);

    // Act
    dev.child.kill('SIGINT');
    const exit = await dev.exited;
    const localJsonLeft = existsSync(join(dataDir, 'local.json'));
    await start();

    // Assess
    expect(exit).toEqual({ code: 0, signal: null });
    expect(localJsonLeft).toBe(false);
    expect(dev.output()).not.toMatch(/created automation|replaced automation/);
    expect((await handles.client.automations.list()).map((a) => a.id).sort()).toEqual(
      automationsBefore,
    );
    const jobsAfter = await jobsOf('word-count');
    expect(jobsAfter.map((job) => `${job.jobId}:${job.state}`).sort()).toEqual(
      jobsBefore.map((job) => `${job.jobId}:${job.state}`).sort(),
    );
    const reopened = await openHold();
    expect(reopened?.batchId).toBe(open.batchId);
  });
});
