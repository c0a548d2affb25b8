import { Match, type Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { tableEnvironmentName } from '../../lambdas/adapters/aws/deployment-environment.js';
import { BUCKETFLOW_TABLES } from '../../lib/tables.js';
import { resourcesOf, synthBucketflowApp } from './support.js';

describe('StatefulStack', () => {
  let template: Template;

  beforeAll(() => {
    ({ statefulTemplate: template } = synthBucketflowApp({
      context: { 'bucketflow:createDemoBucket': true, 'bucketflow:eventArchiveRetentionDays': 14 },
    }));
  });

  it('builds one table per TableDefinition with its keys, indexes and TTL attribute', () => {
    // Assess
    const tables = Object.values(resourcesOf(template, 'AWS::DynamoDB::GlobalTable'));
    expect(tables).toHaveLength(BUCKETFLOW_TABLES.length);
    for (const definition of BUCKETFLOW_TABLES) {
      template.hasResourceProperties('AWS::DynamoDB::GlobalTable', {
        KeySchema: [
          { AttributeName: definition.partitionKey.name, KeyType: 'HASH' },
          ...(definition.sortKey
            ? [{ AttributeName: definition.sortKey.name, KeyType: 'RANGE' }]
            : []),
        ],
        GlobalSecondaryIndexes: definition.globalIndexes?.length
          ? definition.globalIndexes.map((index) =>
              Match.objectLike({ IndexName: index.indexName }),
            )
          : Match.absent(),
        ...(definition.timeToLiveAttribute
          ? {
              TimeToLiveSpecification: {
                AttributeName: definition.timeToLiveAttribute,
                Enabled: true,
              },
            }
          : {}),
      });
    }
  });

  it('outputs each table name with the environment variable the CLI reads it from', () => {
    // Assess
    const outputs = template.toJSON().Outputs as Record<string, { Description?: string }>;
    for (const definition of BUCKETFLOW_TABLES) {
      const id = `${definition.id.charAt(0).toUpperCase()}${definition.id.slice(1)}TableName`;
      expect(outputs[id]?.Description).toContain(tableEnvironmentName(definition.id));
    }
  });

  it('makes every table on-demand, encrypted with KMS, recoverable and retained', () => {
    for (const [id, table] of Object.entries(
      template.findResources('AWS::DynamoDB::GlobalTable') as Record<
        string,
        Record<string, unknown>
      >,
    )) {
      const properties = table.Properties as Record<string, unknown>;
      expect(properties.BillingMode, id).toBe('PAY_PER_REQUEST');
      expect(properties.SSESpecification, id).toEqual({ SSEEnabled: true, SSEType: 'KMS' });
      expect(properties.Replicas, id).toEqual([
        expect.objectContaining({
          PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
          DeletionProtectionEnabled: true,
        }),
      ]);
      expect(table.DeletionPolicy, id).toBe('Retain');
      expect(table.UpdateReplacePolicy, id).toBe('Retain');
    }
  });

  it('gives the ingest queue a DLQ, SSE and a visibility timeout of six function timeouts plus the window', () => {
    template.hasResourceProperties('AWS::SQS::Queue', {
      SqsManagedSseEnabled: true,
      VisibilityTimeout: 6 * 60 + 10,
      RedrivePolicy: { deadLetterTargetArn: Match.anyValue(), maxReceiveCount: 5 },
    });
  });

  it('encrypts every queue and keeps dead letters for 14 days', () => {
    const queues = Object.values(resourcesOf(template, 'AWS::SQS::Queue'));
    expect(queues).toHaveLength(2);
    for (const queue of queues) expect(queue.Properties?.SqsManagedSseEnabled).toBe(true);
    template.hasResourceProperties('AWS::SQS::Queue', { MessageRetentionPeriod: 14 * 24 * 3600 });
  });

  it('denies non-TLS access to every queue and admits only this account’s EventBridge rules', () => {
    const policies = Object.values(resourcesOf(template, 'AWS::SQS::QueuePolicy'));
    expect(policies).toHaveLength(2);
    for (const policy of policies) {
      expect(policy.Properties?.PolicyDocument).toEqual({
        Version: '2012-10-17',
        Statement: [
          expect.objectContaining({
            Effect: 'Deny',
            Action: 'sqs:*',
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          }),
          expect.objectContaining({
            Effect: 'Allow',
            Principal: { Service: 'events.amazonaws.com' },
            Action: 'sqs:SendMessage',
            Condition: {
              StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
              ArnLike: { 'aws:SourceArn': expect.anything() },
            },
          }),
        ],
      });
    }
  });

  it('archives every event of the bus for replay with the configured retention', () => {
    template.hasResourceProperties('AWS::Events::Archive', {
      EventPattern: { account: [{ Ref: 'AWS::AccountId' }] },
      RetentionDays: 14,
      SourceArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('EventBus'), 'Arn'] },
    });
  });

  it('denies PutEvents without TLS on the bus', () => {
    template.hasResourceProperties('AWS::Events::EventBusPolicy', {
      Statement: Match.objectLike({
        Effect: 'Deny',
        Action: 'events:PutEvents',
        Condition: { Bool: { 'aws:SecureTransport': 'false' } },
      }),
    });
  });

  it('encrypts every bucket, blocks public access, requires TLS and logs access', () => {
    const buckets = resourcesOf(template, 'AWS::S3::Bucket');
    expect(Object.keys(buckets)).toHaveLength(3);
    for (const [id, bucket] of Object.entries(buckets)) {
      const properties = bucket.Properties ?? {};
      expect(properties.BucketEncryption, id).toEqual({
        ServerSideEncryptionConfiguration: [
          { ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } },
        ],
      });
      expect(properties.PublicAccessBlockConfiguration, id).toEqual({
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      });
      if (!id.startsWith('StateAccessLogsBucket')) {
        expect(properties.LoggingConfiguration, id).toMatchObject({
          LogFilePrefix: expect.any(String),
        });
      }
    }
    for (const policy of Object.values(resourcesOf(template, 'AWS::S3::BucketPolicy'))) {
      expect(policy.Properties?.PolicyDocument).toMatchObject({
        Statement: expect.arrayContaining([
          expect.objectContaining({
            Effect: 'Deny',
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          }),
        ]),
      });
    }
  });

  it('turns on EventBridge notifications of the demo bucket without a custom resource', () => {
    template.hasResourceProperties('AWS::S3::Bucket', {
      NotificationConfiguration: { EventBridgeConfiguration: { EventBridgeEnabled: true } },
    });
    template.resourceCountIs('Custom::S3BucketNotifications', 0);
    template.resourceCountIs('AWS::Lambda::Function', 0);
  });
});
