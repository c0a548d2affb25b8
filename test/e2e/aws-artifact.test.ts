import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateBucketCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { GetQueueAttributesCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { App, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type LocalServers,
  startLocalServers,
} from '../../lambdas/adapters/local/local-servers.js';
import type { StoredJob } from '../../lambdas/core/ports/job-store.js';
import { Client } from '../../lambdas/sdk/client.js';
import type { BucketflowConfig } from '../../lambdas/sdk/config.js';
import {
  CONNECTION_OUTPUT_DESCRIPTION,
  stackConnectionSchema,
} from '../../lambdas/sdk/stack-outputs.js';
import { BucketflowService } from '../../lib/bucketflow-service.js';
import {
  type FakeEventBridge,
  startFakeEventBridge,
} from '../integration/support/fake-eventbridge.js';
import { LocalCloud } from './artifact/local-cloud.js';
import { readSynthesizedStack, type SynthesizedStack } from './artifact/template.js';
import { waitFor } from './dev-process.js';
import { ARTIFACT_BUCKET, changedConfig, config } from './fixtures/artifact.config.js';

const STACK = 'Artifact';
const CONFIG_RESOURCE = 'Custom::BucketflowConfig';
/** Synth bundles seven functions; on a loaded 2-core machine that takes a while. */
const DEPLOY_TIMEOUT_MS = 600_000;
const JOB_WAIT_MS = 90_000;
/** The cron fires every minute: the first fire time after the deploy is at most a minute away. */
const CRON_WAIT_MS = 150_000;
/** One minute of the template's schedules (sweep, cron, reconcile) lasts a second here. */
const MS_PER_MINUTE = 1000;

/** Synthesizes the app a user would: one stack with a BucketflowService on the config, default feature flags. */
function synth(outdir: string, serviceConfig: BucketflowConfig, bundle: boolean): SynthesizedStack {
  const app = new App({
    outdir,
    context: bundle ? {} : { 'aws:cdk:bundling-stacks': [] },
  });
  const stack = new Stack(app, STACK);
  new BucketflowService(stack, 'Bucketflow', {
    config: serviceConfig,
    removalPolicy: RemovalPolicy.DESTROY,
  });
  app.synth();
  return readSynthesizedStack(outdir, STACK);
}

describe('the synthesized cloud assembly, run on the local servers', () => {
  let outdir: string;
  let changedOutdir: string;
  let servers: LocalServers;
  let eventBridge: FakeEventBridge;
  let cloud: LocalCloud;
  let client: Client;

  const automationId = async (name: string) => {
    const found = (await client.automations.list()).find((automation) => automation.name === name);
    if (!found) throw new Error(`no automation ${name}`);
    return found.id;
  };
  const jobsOf = async (automation: string): Promise<StoredJob[]> =>
    (
      await client.jobs.query({
        from: 0,
        to: Date.now() + 60_000,
        automationId: automation,
        limit: 1000,
      })
    ).jobs.slice();
  const triggerOf = <T>(job: StoredJob): T => JSON.parse(job.triggerJson ?? '{}') as T;
  const diagnostics = () => `${cloud.errors.map(String).join('\n')}\n${cloud.logs()}`;
  const put = (key: string, body: string) =>
    cloud.clients.s3.send(new PutObjectCommand({ Bucket: ARTIFACT_BUCKET, Key: key, Body: body }));

  beforeAll(async () => {
    // Prepare: the app synthesized (and bundled) from the config, the template of the edited
    // config, and the stack deployed onto fresh local servers, its config applied by its
    // custom resource as CloudFormation's Create would.
    outdir = await mkdtemp(join(tmpdir(), 'bucketflow-artifact-'));
    changedOutdir = await mkdtemp(join(tmpdir(), 'bucketflow-artifact-changed-'));
    const stack = synth(outdir, config, true);
    servers = await startLocalServers();
    eventBridge = await startFakeEventBridge();
    cloud = await LocalCloud.deploy({
      stack,
      servers,
      eventBridgeUrl: eventBridge.url,
      msPerMinute: MS_PER_MINUTE,
    });
    await cloud.clients.s3.send(new CreateBucketCommand({ Bucket: ARTIFACT_BUCKET }));
    await cloud.customResource(CONFIG_RESOURCE, 'Create');
    const connection = stackConnectionSchema.parse(
      JSON.parse(String(cloud.output(CONNECTION_OUTPUT_DESCRIPTION))),
    );
    client = Client.fromClients(cloud.clients, connection);
  }, DEPLOY_TIMEOUT_MS);

  afterAll(async () => {
    await cloud?.stop();
    await eventBridge?.close();
    await servers?.stop();
    for (const dir of [outdir, changedOutdir]) {
      if (dir) await rm(dir, { recursive: true, force: true });
    }
  });

  it('runs a .txt upload as a StorageEventTask job whose task reads the object on the Lambda runner', async () => {
    // Act
    await put('notes/hello.txt', 'hello from the artifact');

    // Assess
    const id = await automationId('read-text');
    const [job] = await waitFor(
      async () => {
        const jobs = await jobsOf(id);
        return jobs.some((candidate) => candidate.state === 'COMPLETED') ? jobs : undefined;
      },
      'the read-text job',
      JOB_WAIT_MS,
      diagnostics,
    );
    const [task] = await client.jobs.tasks(job?.jobId ?? '');
    expect(task?.identifier.name).toBe('artifact/ReadObject');
    expect(task?.display).toBe('raw/notes/hello.txt: hello from the artifact');
    expect(task?.runnerId).toMatch(/^lambda-/);
  });

  it('batches 12 objects under one prefix as 5, 5 and 2, and publishes objects-batch-ready for each', async () => {
    // Act
    for (let index = 1; index <= 12; index++) {
      await put(`runs/r12/part-${String(index).padStart(2, '0')}.csv`, `part ${index}`);
    }

    // Assess
    const id = await automationId('runs');
    const batches = await waitFor(
      async () => {
        const done = (await jobsOf(id))
          .filter((job) => job.state === 'COMPLETED')
          .map((job) => triggerOf<{ prefix: string; count: number; reason: string }>(job))
          .filter((trigger) => trigger.prefix === 'runs/r12/');
        return done.length >= 3 ? done : undefined;
      },
      'three completed batch jobs',
      JOB_WAIT_MS,
      diagnostics,
    );
    expect(batches.map((batch) => `${batch.count}:${batch.reason}`).sort()).toEqual([
      '2:quiet',
      '5:count',
      '5:count',
    ]);
    const published = eventBridge.accepted
      .filter((entry) => entry.DetailType === 'objects-batch-ready')
      .map((entry) => JSON.parse(entry.Detail ?? '{}') as { prefix: string; count: number })
      .filter((detail) => detail.prefix === 'runs/r12/');
    expect(published.map((detail) => detail.count).sort()).toEqual([2, 5, 5]);
    const ingest = ingestPoller(cloud);
    expect(ingest?.invocations.every((invocation) => invocation.size <= 1000)).toBe(true);
  });

  it('keeps a message the ingest function reports as failed on its queue and deletes the rest', async () => {
    // Prepare
    const poller = ingestPoller(cloud);
    const before = poller?.invocations.length ?? 0;
    const queueUrl = ingestQueueUrl(cloud);

    // Act: a message that is not an S3 event, and one good upload.
    await cloud.clients.sqs.send(
      new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: '{"not":"an S3 event"}' }),
    );
    await put('notes/after-poison.txt', 'still ingested');

    // Assess
    const failedInvocation = await waitFor(
      async () =>
        poller?.invocations.slice(before).find((invocation) => invocation.reportedFailures > 0),
      'an ingest invocation reporting a failed item',
      JOB_WAIT_MS,
      diagnostics,
    );
    expect(failedInvocation.reportedFailures).toBe(1);
    expect(failedInvocation.deleted).toBe(failedInvocation.size - 1);
    const { Attributes } = await cloud.clients.sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl: queueUrl,
        AttributeNames: ['ApproximateNumberOfMessagesNotVisible'],
      }),
    );
    expect(Number(Attributes?.ApproximateNumberOfMessagesNotVisible)).toBeGreaterThanOrEqual(1);
  });

  it(
    'runs a job for the cron automation on the schedule',
    async () => {
      // Act
      const id = await automationId('tick');
      const job = await waitFor(
        async () => (await jobsOf(id)).find((candidate) => candidate.state === 'COMPLETED'),
        'a completed tick job',
        CRON_WAIT_MS,
        diagnostics,
      );

      // Assess
      const trigger = triggerOf<{ kind: string; fireTime: string }>(job);
      expect(trigger.kind).toBe('cron');
      expect(new Date(trigger.fireTime).getUTCSeconds()).toBe(0);
    },
    CRON_WAIT_MS + 30_000,
  );

  it('updates the automations when the config changes, keeping the unchanged ones and every job', async () => {
    // Prepare
    const changed = synth(changedOutdir, changedConfig, false);
    const before = await client.automations.list();
    const tick = before.find((automation) => automation.name === 'tick');
    const tickJobs = await jobsOf(tick?.id ?? '');

    // Act
    await cloud.customResource(CONFIG_RESOURCE, 'Update', changed);

    // Assess
    const after = await client.automations.list();
    expect(after.map((automation) => automation.name).sort()).toEqual([
      'read-md',
      'read-text',
      'runs',
    ]);
    const id = (name: string, list: typeof after) => list.find((a) => a.name === name)?.id;
    expect(id('read-text', after)).toBe(id('read-text', before));
    expect(id('runs', after)).not.toBe(id('runs', before));
    expect(after.find((automation) => automation.name === 'runs')?.triggers.batch?.count).toBe(6);
    // The cron keeps firing until the update removes it: the jobs read before are a subset.
    expect(tickJobs.length).toBeGreaterThan(0);
    expect((await jobsOf(tick?.id ?? '')).map((job) => job.jobId)).toEqual(
      expect.arrayContaining(tickJobs.map((job) => job.jobId)),
    );
  });

  it('deletes the automations it created when the stack is deleted, and no job', async () => {
    // Prepare
    const before = await client.automations.list();
    const readText = before.find((automation) => automation.name === 'read-text');
    const jobs = await jobsOf(readText?.id ?? '');

    // Act
    await cloud.customResource(
      CONFIG_RESOURCE,
      'Delete',
      readSynthesizedStack(changedOutdir, STACK),
    );

    // Assess
    expect(await client.automations.list({ includeDisabled: true })).toEqual([]);
    expect(jobs.length).toBeGreaterThan(0);
    expect((await jobsOf(readText?.id ?? '')).map((job) => job.jobId)).toEqual(
      jobs.map((job) => job.jobId),
    );
  });
});

/** The event source mapping that feeds the ingest function. */
function ingestPoller(cloud: LocalCloud) {
  const [poller] = [...cloud.pollers.values()].filter((p) => p.functionId.includes('Ingest'));
  if (!poller) throw new Error('no ingest event source mapping');
  return poller;
}

function ingestQueueUrl(cloud: LocalCloud): string {
  const [id] = [...cloud.resources.queueUrls.keys()].filter(
    (name) => name.includes('IngestQueue') && !name.includes('DeadLetter'),
  );
  const url = id && cloud.resources.queueUrls.get(id);
  if (!url) throw new Error('no ingest queue');
  return url;
}
