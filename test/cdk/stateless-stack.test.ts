import { Match, type Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { taskQueueName } from '../../lambdas/adapters/aws/queues/task-queue-names.js';
import { TASK_RUNNER_BATCH_SIZE } from '../../lib/constants.js';
import { actionsOf, policyStatements, resourcesOf, synthBucketflowApp } from './support.js';

const ALARM_TOPIC = 'arn:aws:sns:eu-west-1:123456789012:ops-alarms';

describe('StatelessStack', () => {
  let template: Template;
  let statefulTemplate: Template;

  beforeAll(() => {
    ({ statelessTemplate: template, statefulTemplate } = synthBucketflowApp({
      context: {
        'bucketflow:sourceBuckets': ['raw-data', 'lab-results'],
        'bucketflow:createDemoBucket': true,
        'bucketflow:alarmTopicArn': ALARM_TOPIC,
        'bucketflow:logRetentionDays': 90,
        'bucketflow:sweepPeriodMinutes': 2,
      },
      config: {
        clusters: {
          gpu: { runner: { kind: 'lambda' }, taskModules: ['test/cdk/fixtures/routed-tasks.ts'] },
        },
      },
    }));
  });

  it('routes each source bucket’s created and deleted objects to the ingest queue with one rule', () => {
    for (const bucket of ['raw-data', 'lab-results']) {
      template.hasResourceProperties('AWS::Events::Rule', {
        EventPattern: {
          source: ['aws.s3'],
          'detail-type': ['Object Created', 'Object Deleted'],
          detail: { bucket: { name: [bucket] } },
        },
        Targets: [
          Match.objectLike({
            DeadLetterConfig: { Arn: Match.anyValue() },
            RetryPolicy: { MaximumEventAgeInSeconds: 86400, MaximumRetryAttempts: 185 },
          }),
        ],
      });
    }
    const bucketRules = Object.values(resourcesOf(template, 'AWS::Events::Rule')).filter(
      (rule) => rule.Properties?.EventPattern !== undefined,
    );
    expect(bucketRules).toHaveLength(3); // two named buckets and the demo bucket
  });

  it('consumes the ingest queue in big batches with partial batch failures', () => {
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      BatchSize: 1000,
      MaximumBatchingWindowInSeconds: 10,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
  });

  it('runs sweep, cron and reconcile on configurable rate schedules', () => {
    const schedules = Object.values(resourcesOf(template, 'AWS::Events::Rule'))
      .map((rule) => rule.Properties?.ScheduleExpression)
      .filter((expression) => expression !== undefined)
      .sort();
    expect(schedules).toEqual(['rate(1 minute)', 'rate(1 minute)', 'rate(2 minutes)']);
  });

  it('runs every function on Node.js 22 on arm64 with JSON logs in its own log group', () => {
    // ingest, sweep, cron, reconcile, the gpu runner and the config apply; the CDK Provider
    // framework's own function is CDK's.
    const functions = Object.entries(resourcesOf(template, 'AWS::Lambda::Function'))
      .filter(([id]) => !id.includes('frameworkonEvent'))
      .map(([, fn]) => fn);
    expect(functions).toHaveLength(6);
    const logGroups = Object.keys(resourcesOf(template, 'AWS::Logs::LogGroup'));
    for (const fn of functions) {
      expect(fn.Properties).toMatchObject({
        Runtime: 'nodejs22.x',
        Architectures: ['arm64'],
        Handler: 'index.handler',
        LoggingConfig: { LogFormat: 'JSON', LogGroup: { Ref: expect.any(String) } },
      });
      const config = fn.Properties?.LoggingConfig as { LogGroup: { Ref: string } } | undefined;
      const logGroup = config?.LogGroup.Ref;
      expect(logGroups).toContain(logGroup);
    }
    template.allResourcesProperties('AWS::Logs::LogGroup', { RetentionInDays: 90 });
  });

  it('tells the functions where the tables, bus, cache bucket and source buckets are', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({
          BUCKETFLOW_JOBS_TABLE: Match.anyValue(),
          BUCKETFLOW_BATCHES_TABLE: Match.anyValue(),
          BUCKETFLOW_AUTOMATIONS_TABLE: Match.anyValue(),
          BUCKETFLOW_EVENT_BUS_NAME: Match.anyValue(),
          BUCKETFLOW_CACHE_BUCKET: Match.anyValue(),
          BUCKETFLOW_TASK_QUEUE_PREFIX: 'bucketflow-tasks-',
          BUCKETFLOW_SOURCE_BUCKETS: {
            'Fn::Join': ['', ['raw-data,lab-results,', Match.anyValue()]],
          },
          NODE_OPTIONS: '--enable-source-maps',
        }),
      },
    });
  });

  it('uses no wildcard action in any IAM policy', () => {
    const statements = [...policyStatements(template), ...policyStatements(statefulTemplate)];
    expect(statements.length).toBeGreaterThan(10);
    for (const statement of statements) {
      for (const action of actionsOf(statement)) expect(action).not.toContain('*');
    }
  });

  it('scopes every wildcard resource to an object ARN, the task queue prefix or function versions', () => {
    const wildcards = new Set<string>();
    for (const statement of policyStatements(template)) {
      const resources = statement.Resource;
      for (const resource of Array.isArray(resources) ? resources : [resources]) {
        const text = JSON.stringify(resource);
        if (text.includes('*'))
          wildcards.add(text.replace(/"OutputName":"[^"]*"/, '"OutputName":…'));
      }
    }
    for (const text of wildcards) {
      expect(text).toMatch(
        /(:s3:::[a-z0-9.-]+\/\*"|…}},"\/\*"|:bucketflow-tasks-\*"|"Arn"\]},":\*")/,
      );
    }
    expect(JSON.stringify([...wildcards])).not.toMatch(/"Resource":"\*"/);
  });

  it('feeds the task runner from one queue per task name and major version its task modules export, named as the app names them', () => {
    // The identifiers are read from the cluster's task modules at synth.
    for (const route of [
      { cluster: 'gpu', taskName: 'Resize', versionMajor: 1 },
      { cluster: 'gpu', taskName: 'Thumbnail', versionMajor: 2 },
    ]) {
      template.hasResourceProperties('AWS::SQS::Queue', {
        QueueName: taskQueueName(route),
        SqsManagedSseEnabled: true,
        VisibilityTimeout: 6 * 300,
        RedrivePolicy: { maxReceiveCount: 5, deadLetterTargetArn: Match.anyValue() },
      });
    }
    template.hasResourceProperties('AWS::SQS::Queue', { QueueName: 'bucketflow-tasks-gpu-dlq' });
    const runnerSources = Object.values(
      resourcesOf(template, 'AWS::Lambda::EventSourceMapping'),
    ).filter((mapping) => mapping.Properties?.BatchSize === TASK_RUNNER_BATCH_SIZE);
    expect(runnerSources).toHaveLength(2);
    for (const mapping of runnerSources) {
      expect(mapping.Properties?.FunctionResponseTypes).toEqual(['ReportBatchItemFailures']);
    }
  });

  it('alarms on DLQ depth, handler errors, ingest age and failed rule deliveries', () => {
    const alarms = Object.values(resourcesOf(template, 'AWS::CloudWatch::Alarm')).map(
      (alarm) => alarm.Properties ?? {},
    );
    const byMetric = (name: string) => alarms.filter((alarm) => alarm.MetricName === name);
    expect(byMetric('ApproximateNumberOfMessagesVisible')).toHaveLength(2); // ingest DLQ, gpu DLQ
    expect(byMetric('Errors')).toHaveLength(5);
    expect(byMetric('FailedInvocations')).toHaveLength(3);
    expect(byMetric('ApproximateAgeOfOldestMessage')).toEqual([
      expect.objectContaining({ Threshold: 300, Statistic: 'Maximum' }),
    ]);
    for (const alarm of alarms) {
      expect(alarm).toMatchObject({
        ComparisonOperator: 'GreaterThanThreshold',
        TreatMissingData: 'notBreaching',
        AlarmActions: [ALARM_TOPIC],
        OKActions: [ALARM_TOPIC],
      });
    }
    for (const alarm of byMetric('ApproximateNumberOfMessagesVisible')) {
      expect(alarm.Threshold).toBe(0);
    }
  });

  it('draws one dashboard with per source bucket rule metrics', () => {
    const dashboards = Object.values(resourcesOf(template, 'AWS::CloudWatch::Dashboard'));
    expect(dashboards).toHaveLength(1);
    const body = JSON.stringify(dashboards[0]?.Properties?.DashboardBody);
    for (const text of [
      'raw-data',
      'lab-results',
      'TriggeredRules',
      'FailedInvocations',
      'Handler errors',
      'Ingest DLQ depth',
      'Cluster gpu',
    ]) {
      expect(body).toContain(text);
    }
  });
});
