import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { taskQueueName } from '../../lambdas/adapters/aws/queues/task-queue-names.js';
import type { ConfigPlan } from '../../lambdas/core/services/config-apply.js';
import { CONNECTION_OUTPUT_DESCRIPTION } from '../../lambdas/sdk/stack-outputs.js';
import { BucketflowService } from '../../lib/bucketflow-service.js';
import { exampleConfig, resourcesOf, testStack } from './support.js';

/** The plan the custom resource carries, with the bucket name tokens left as they resolve. */
function planOf(template: Template): ConfigPlan {
  const [resource] = Object.values(resourcesOf(template, 'Custom::BucketflowConfig'));
  const plan = resource?.Properties?.Plan as { 'Fn::Join': [string, unknown[]] } | string;
  const text =
    typeof plan === 'string'
      ? plan
      : plan['Fn::Join'][1].map((part) => (typeof part === 'string' ? part : 'TOKEN')).join('');
  return JSON.parse(text) as ConfigPlan;
}

describe('BucketflowService with a config', () => {
  let template: Template;
  let stack: Stack;

  beforeAll(() => {
    // Prepare: the repository's config with the default cluster on Lambda, its S3 location
    // `demo` bound to a bucket the app creates.
    stack = testStack();
    const demo = new s3.Bucket(stack, 'Demo', { eventBridgeEnabled: true });

    // Act
    new BucketflowService(stack, 'Bucketflow', {
      config: exampleConfig,
      locationBuckets: { demo },
    });
    template = Template.fromStack(stack);
  });

  it('wires every S3 location as a source bucket', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        source: ['aws.s3'],
        detail: { bucket: { name: [{ Ref: Match.stringLikeRegexp('^Demo') }] } },
      },
    });
  });

  it('runs each Lambda cluster on a TaskRunnerFunction bundling its task modules, fed by a queue per task they export', () => {
    for (const taskName of ['examples/WordCount', 'examples/PackageBatch']) {
      const route = { cluster: 'default', taskName, versionMajor: 1 };
      template.hasResourceProperties('AWS::SQS::Queue', { QueueName: taskQueueName(route) });
    }
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ BUCKETFLOW_RUNNER_CLUSTER: 'default' }) },
    });
  });

  it('applies the automations at deploy time with a custom resource carrying the plan', () => {
    const plan = planOf(template);
    expect(plan.automations.map((automation) => automation.name)).toEqual([
      'word-count',
      'demo-runs',
      'heartbeat',
    ]);
    expect(plan.locations).toEqual([{ name: 'demo', kind: 's3', bucket: 'TOKEN' }]);
    expect(plan.automations[0]?.triggers.storage).toEqual([{ location: 'demo', glob: '**.txt' }]);
    expect(plan.clusters).toEqual(['default']);
  });

  it('leaves local folders out of the deployment, with a note naming what was left out', () => {
    const notes = Annotations.fromStack(stack)
      .findInfo('*', Match.stringLikeRegexp('not deployed'))
      .map((note) => String(note.entry.data));
    expect(notes).toEqual([
      'bucketflow: not deployed (local mode only): location inbox: a local folder, which exists only in local mode',
      'bucketflow: not deployed (local mode only): automation word-count: its triggers on local folders (inbox)',
      'bucketflow: not deployed (local mode only): automation inbox-runs: all its triggers are on local folders',
    ]);
  });

  it('outputs the connection the CLI reads with --stack', () => {
    const outputs = Object.values(template.toJSON().Outputs as Record<string, unknown>);
    expect(outputs).toContainEqual(
      expect.objectContaining({ Description: CONNECTION_OUTPUT_DESCRIPTION }),
    );
  });

  it.each([
    [
      'quiet',
      { quiet: 1e13 },
      /^automations\[0\]\.quiet: must be an integer number of seconds from 1 to 1209600/,
    ],
    ['count', { count: 0 }, /^automations\[0\]\.count: must be an integer from 1 to 10000/],
    ['maxAge', { quiet: 60, maxAge: 1_209_601 }, /^automations\[0\]\.maxAge: /],
  ])(
    'refuses a batch %s out of range before synthesizing anything',
    (_field, thresholds, message) => {
      // Prepare: a plain object, as an app that skips defineConfig would pass it.
      const other = testStack();
      const batch = {
        ...exampleConfig.automations?.find((a) => a.kind === 'batch'),
        ...thresholds,
      };
      const config = { ...exampleConfig, automations: [batch] } as typeof exampleConfig;

      // Act
      const creating = () => new BucketflowService(other, 'Bucketflow', { config });

      // Assess
      expect(creating).toThrow(message);
    },
  );

  it('refuses a location bucket for a location the config does not have', () => {
    const other = testStack();
    expect(
      () =>
        new BucketflowService(other, 'Bucketflow', {
          config: exampleConfig,
          locationBuckets: { archive: s3.Bucket.fromBucketName(other, 'A', 'archive') },
        }),
    ).toThrow(
      "locationBuckets.archive: is not an S3 location of the config (declare it in the config: locations: { archive: { kind: 's3', bucket: '...' } })",
    );
  });
});

/** Six esbuild bundles of the AWS SDK and the handlers: seconds each on a loaded 2-core machine. */
const BUNDLING_TIMEOUT_MS = 300_000;

describe('BucketflowService in an app of default feature flags', () => {
  const outdir = mkdtempSync(join(tmpdir(), 'bucketflow-defaults-'));
  afterAll(() => rmSync(outdir, { recursive: true, force: true }));

  it(
    'synthesizes and bundles every function without a lock file or flag of this repository',
    () => {
      // Prepare: no cdk.json context at all, as in a project made by `cdk init`.
      const app = new App({ outdir, context: {} });
      const stack = new Stack(app, 'Consumer');

      // Act
      new BucketflowService(stack, 'Bucketflow', {
        config: exampleConfig,
        sourceBuckets: [s3.Bucket.fromBucketName(stack, 'Raw', 'lab-raw-data')],
      });
      const assembly = app.synth();

      // Assess
      const template = assembly.getStackByName('Consumer').template as {
        Resources: Record<string, { Type: string }>;
      };
      const functions = Object.values(template.Resources).filter(
        (resource) => resource.Type === 'AWS::Lambda::Function',
      );
      expect(functions.length).toBe(7);
      const bundles = readdirSync(outdir).filter((name) => name.startsWith('asset.'));
      expect(bundles.length).toBeGreaterThanOrEqual(6);
    },
    BUNDLING_TIMEOUT_MS,
  );
});
