import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AwsClients } from '../../../lambdas/adapters/aws/aws-clients.js';
import { SqsTaskQueue } from '../../../lambdas/adapters/aws/queues/sqs-task-queue.js';
import { taskIdentifier } from '../../../lambdas/core/jobs/task-identifier.js';
import { taskRouteOf } from '../../../lambdas/core/jobs/task-routing.js';
import { Client } from '../../../lambdas/sdk/client.js';
import type { Connection } from '../../../lambdas/sdk/connection.js';
import { CONNECTION_OUTPUT_DESCRIPTION } from '../../../lambdas/sdk/stack-outputs.js';
import {
  type FakeApi,
  startFakeCloudFormation,
  startFakeS3Notifications,
} from '../support/fake-aws-apis.js';
import { createLocalDeployment } from '../support/local-aws.js';
import { bucketflow, cliEnv, ROOT } from './cli-fixture.js';

interface Finding {
  readonly subject: string;
  readonly name: string;
  readonly verdict: string;
}

// Only CloudFormation (no local server speaks it) and S3's notification configuration (the
// local S3 server does not implement it) are fakes; DynamoDB and SQS are the local servers.
describe('the CLI on a deployed stack (--stack, --region, --profile)', () => {
  let cloudformation: FakeApi;
  let notifications: FakeApi;
  let connection: Connection;
  let clients: AwsClients;
  let client: Client;
  let awsDir: string;

  /** The CLI's environment: no region or keys of the test's, only the AWS config files. */
  const env = (extra: Record<string, string> = {}): NodeJS.ProcessEnv => {
    const base = cliEnv();
    for (const name of [
      'AWS_REGION',
      'AWS_DEFAULT_REGION',
      'AWS_ACCESS_KEY_ID',
      'AWS_SECRET_ACCESS_KEY',
      'AWS_PROFILE',
    ]) {
      delete base[name];
    }
    return {
      ...base,
      AWS_CONFIG_FILE: join(awsDir, 'config'),
      AWS_SHARED_CREDENTIALS_FILE: join(awsDir, 'credentials'),
      AWS_ENDPOINT_URL_CLOUDFORMATION: cloudformation.url,
      AWS_ENDPOINT_URL_DYNAMODB: connection.endpoints.dynamodb ?? '',
      AWS_ENDPOINT_URL_SQS: connection.endpoints.sqs ?? '',
      AWS_ENDPOINT_URL_S3: notifications.url,
      ...extra,
    };
  };
  const run = (args: readonly string[], extra?: Record<string, string>) =>
    bucketflow(args, ROOT, env(extra));

  beforeAll(async () => {
    ({ connection, clients } = await createLocalDeployment('stack'));
    client = Client.fromConnection(connection);
    const outputs = {
      tables: connection.tables,
      taskQueuePrefix: connection.taskQueuePrefix,
      cacheBucket: 'lab-cache',
      eventBusName: 'lab-bus',
      ingestQueueUrl: 'https://sqs.eu-west-1.amazonaws.com/123456789012/lab-ingest',
      sourceBuckets: ['raw-on', 'raw-off'],
      lambdaClusters: ['default'],
    };
    cloudformation = await startFakeCloudFormation({
      LabPipeline: [
        { OutputKey: 'DashboardName', OutputValue: 'lab' },
        {
          OutputKey: 'BucketflowEngineConnection5D9B1C2A',
          OutputValue: JSON.stringify(outputs),
          Description: CONNECTION_OUTPUT_DESCRIPTION,
        },
      ],
      Unrelated: [{ OutputKey: 'Other', OutputValue: 'x' }],
    });
    notifications = await startFakeS3Notifications(new Set(['raw-on']));
    awsDir = await mkdtemp(join(tmpdir(), 'bucketflow-aws-config-'));
    // DynamoDB Local accepts only letters and digits in access key ids.
    await writeFile(
      join(awsDir, 'config'),
      '[profile lab]\nregion = eu-west-1\n\n[profile other]\nregion = us-west-2\n\n[profile noregion]\n',
    );
    await writeFile(
      join(awsDir, 'credentials'),
      '[lab]\naws_access_key_id = labkey\naws_secret_access_key = labsecret\n\n' +
        '[other]\naws_access_key_id = otherkey\naws_secret_access_key = othersecret\n\n' +
        '[noregion]\naws_access_key_id = nokey\naws_secret_access_key = nosecret\n',
    );
  });

  afterAll(async () => {
    await cloudformation?.close();
    await notifications?.close();
    if (awsDir) await rm(awsDir, { recursive: true, force: true });
  });

  it('reads the table names from the stack outputs, with the region and credentials of AWS_PROFILE', async () => {
    // Prepare
    const cluster = await client.clusters.create('from-sdk');

    // Act
    const result = await run(['clusters', 'list', '--stack', 'LabPipeline', '--json'], {
      AWS_PROFILE: 'lab',
    });

    // Assess
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const slugs = (JSON.parse(result.stdout) as { slug: string }[]).map((c) => c.slug);
    expect(slugs).toContain(cluster.slug);
    expect(cloudformation.requests.at(-1)).toEqual({
      accessKeyId: 'labkey',
      region: 'eu-west-1',
      target: 'DescribeStacks',
    });
  });

  it('takes --profile and --region over the environment', async () => {
    // Act
    const result = await run(
      [
        'clusters',
        'list',
        '--stack',
        'LabPipeline',
        '--profile',
        'other',
        '--region',
        'ap-south-1',
      ],
      { AWS_PROFILE: 'lab' },
    );

    // Assess
    expect(result.code).toBe(0);
    expect(cloudformation.requests.at(-1)).toMatchObject({
      accessKeyId: 'otherkey',
      region: 'ap-south-1',
    });
  });

  it('exits 2 naming the stack or the region when they cannot be found', async () => {
    // Act
    const missing = await run(['jobs', 'list', '--stack', 'Nope'], { AWS_PROFILE: 'lab' });
    const foreign = await run(['jobs', 'list', '--stack', 'Unrelated'], { AWS_PROFILE: 'lab' });
    const noRegion = await run(['jobs', 'list', '--stack', 'LabPipeline', '--profile', 'noregion']);

    // Assess
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('--stack: stack Nope does not exist in eu-west-1');
    expect(foreign.code).toBe(2);
    expect(foreign.stderr).toContain(
      '--stack: stack Unrelated has no bucketflow connection output',
    );
    expect(noRegion.code).toBe(2);
    expect(noRegion.stderr).toContain(
      '--region: is not given and no region is configured for profile noregion',
    );
  });

  it('doctor reports source buckets without EventBridge notifications and queues nothing consumes', async () => {
    // Prepare: one cluster with a message waiting, one whose message a runner holds.
    const waiting = await client.clusters.create('waiting');
    const busy = await client.clusters.create('busy');
    await client.clusters.default();
    const queue = new SqsTaskQueue({ client: clients.sqs, prefix: connection.taskQueuePrefix });
    const identifier = taskIdentifier('Probe');
    const message = { jobId: 'job', taskId: 'task', attempt: 1, identifier };
    await queue.send([
      { ...message, cluster: waiting.slug },
      { ...message, cluster: busy.slug },
    ]);
    const busyRoute = taskRouteOf(busy.slug, identifier);
    expect(await queue.receive(busyRoute, { waitSeconds: 1 })).toHaveLength(1);

    // Act
    const result = await run(['doctor', '--stack', 'LabPipeline', '--json'], {
      AWS_PROFILE: 'lab',
    });

    // Assess
    expect(result.code).toBe(1);
    const { findings } = JSON.parse(result.stdout) as { findings: Finding[] };
    const verdicts = Object.fromEntries(findings.map((f) => [`${f.subject} ${f.name}`, f.verdict]));
    expect(verdicts).toMatchObject({
      'source bucket raw-on': 'ok',
      'source bucket raw-off': 'problem',
      'cluster default': 'ok',
      [`cluster ${waiting.slug}`]: 'problem',
      [`cluster ${busy.slug}`]: 'ok',
    });
    expect(notifications.requests.map((request) => request.accessKeyId)).toEqual([
      'labkey',
      'labkey',
    ]);
  });
});
