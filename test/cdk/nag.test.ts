import { Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { AwsSolutionsChecks } from 'cdk-nag';
// cdk-nag does not export its flattener; the parity test below reads it directly.
import { flattenCfnReference as nagFlatten } from 'cdk-nag/lib/utils/flatten-cfn-reference.js';
import type { IConstruct } from 'constructs';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { BucketflowService } from '../../lib/bucketflow-service.js';
import { grantObjectRead } from '../../lib/grants.js';
import { flattenCfnReference } from '../../lib/nag.js';
import { exampleConfig, synthBucketflowApp, testApp } from './support.js';

type Report = ReturnType<AwsSolutionsChecks['validateScope']>;

const describeViolations = (report: Report) =>
  report.violations.map(
    (violation) =>
      `${violation.ruleName} at ${violation.violatingResources.map((r) => r.constructPath).join(', ')}`,
  );

/** Every acknowledged rule id below `scope`, with the construct path it was acknowledged on. */
function acknowledgements(scope: IConstruct): { path: string; id: string; reason: string }[] {
  const found: { path: string; id: string; reason: string }[] = [];
  const visit = (node: IConstruct) => {
    for (const entry of node.node.metadata) {
      if (entry.type !== Validations.ACKNOWLEDGED_RULES_METADATA_KEY) continue;
      for (const [id, reason] of Object.entries(entry.data as Record<string, string>)) {
        found.push({ path: node.node.path, id: id.replace(/^annotation::/i, ''), reason });
      }
    }
    for (const child of node.node.children) visit(child);
  };
  visit(scope);
  return found;
}

describe('cdk-nag AwsSolutions checks', () => {
  let appReport: Report;
  let appAcknowledged: ReturnType<typeof acknowledgements>;
  let serviceReport: Report;

  beforeAll(() => {
    // Prepare: the app with every optional part on, and the L3 construct on its own.
    const { app } = synthBucketflowApp({
      context: {
        'bucketflow:sourceBuckets': ['raw-data'],
        'bucketflow:createDemoBucket': true,
        'bucketflow:alarmTopicArn': 'arn:aws:sns:eu-west-1:123456789012:ops-alarms',
      },
      config: exampleConfig,
    });
    const serviceApp = testApp();
    const stack = new Stack(serviceApp, 'Embedded');
    const service = new BucketflowService(stack, 'Bucketflow', {
      sourceBuckets: [s3.Bucket.fromBucketName(stack, 'Raw', 'raw-data')],
    });
    service.addTaskRunner('gpu', { taskModules: ['examples/tasks.ts'] });
    service.grantRunnerAccess(
      new iam.Role(stack, 'RunnerRole', {
        assumedBy: new iam.ServicePrincipal('ecs-tasks.amazonaws.com'),
      }),
    );
    serviceApp.synth();

    // Act
    appReport = new AwsSolutionsChecks().validateScope(app);
    appAcknowledged = acknowledgements(app);
    serviceReport = new AwsSolutionsChecks().validateScope(serviceApp);
  });

  it('finds nothing unacknowledged in the two stacks of the app', () => {
    expect(describeViolations(appReport)).toEqual([]);
  });

  it('finds nothing unacknowledged in the embeddable construct', () => {
    expect(describeViolations(serviceReport)).toEqual([]);
  });

  it('acknowledges only the reviewed rules, each with a reason', () => {
    const rules = new Set(appAcknowledged.map(({ id }) => id.replace(/\[.*\]$/, '')));
    expect([...rules].sort()).toEqual(['AwsSolutions-IAM5', 'AwsSolutions-L1', 'AwsSolutions-S1']);
    for (const { reason } of appAcknowledged) expect(reason.length).toBeGreaterThan(40);
  });

  it('acknowledges IAM5 only for object ARNs, the task queue prefix and function versions, on roles', () => {
    const wildcards = appAcknowledged.filter(({ id }) => id.startsWith('AwsSolutions-IAM5['));
    expect(wildcards.length).toBeGreaterThan(0);
    for (const { id, path } of wildcards) {
      expect(path).toMatch(/\/Role$/);
      expect(id).toMatch(
        /^AwsSolutions-IAM5\[Resource::(.*\/\*|arn:<AWS::Partition>:sqs:<AWS::Region>:<AWS::AccountId>:bucketflow-tasks-\*|<[A-Za-z0-9]+\.Arn>:\*)\]$/,
      );
    }
  });

  it('acknowledges S1 on the access log bucket only and L1 on functions only', () => {
    const paths = (rule: string) =>
      appAcknowledged.filter(({ id }) => id === rule).map(({ path }) => path);
    expect(paths('AwsSolutions-S1')).toEqual(['BucketflowStateful/State/AccessLogsBucket']);
    const functions = paths('AwsSolutions-L1');
    expect(functions.every((path) => /\/(Function|framework-onEvent)$/.test(path))).toBe(true);
    // ingest, sweep, cron, reconcile, the default runner, the config apply and its provider
    expect(functions).toHaveLength(7);
  });

  it('still reports a wildcard that nobody acknowledged', () => {
    // Prepare
    const app = testApp();
    const stack = new Stack(app, 'Leaky');
    const role = new iam.Role(stack, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
    });
    grantObjectRead(role, s3.Bucket.fromBucketName(stack, 'B', 'a-bucket'), 'reads objects');
    role.addToPolicy(
      new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: ['arn:aws:s3:::other/*'] }),
    );
    app.synth();

    // Act
    const report = new AwsSolutionsChecks().validateScope(app);

    // Assess
    expect(report.violations.map((violation) => violation.ruleName)).toEqual([
      'AwsSolutions-IAM5[Resource::arn:aws:s3:::other/*]',
    ]);
  });
});

describe('flattenCfnReference', () => {
  const leaf = fc.oneof(
    fc.string(),
    fc.string().map((s) => `\${${s}}`),
    fc.record({ Ref: fc.string({ minLength: 1 }) }),
    fc.record({
      'Fn::GetAtt': fc.tuple(fc.string({ minLength: 1 }), fc.constantFrom('Arn', 'Name')),
    }),
    fc.record({
      'Fn::GetStackOutput': fc.record({ StackName: fc.string(), OutputName: fc.string() }),
    }),
  );
  const reference = fc.letrec((tie) => ({
    node: fc.oneof(
      { depthSize: 'small' },
      leaf,
      fc.record({
        'Fn::Join': fc.tuple(
          fc.constantFrom('', ':', '/'),
          fc.array(tie('node'), { maxLength: 4 }),
        ),
      }),
      fc.record({ 'Fn::ImportValue': tie('node') }),
      fc.record({ 'Fn::Sub': fc.string() }),
    ),
  })).node;

  it('flattens exactly as cdk-nag does, so acknowledgement ids match its findings', () => {
    fc.assert(
      fc.property(reference, (value) => {
        expect(flattenCfnReference(value)).toBe(nagFlatten(value));
      }),
    );
  });
});
