import { CreateTableCommand, DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { CreateQueueCommand, ReceiveMessageCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { describe, expect, inject, it } from 'vitest';
import { assertLocalEndpoints, createAwsClients } from '../../lambdas/adapters/aws/aws-clients.js';
import { localClients, uniqueName } from './support/local-aws.js';

describe('local servers', () => {
  const clients = localClients();

  it('serve DynamoDB, SQS and S3 on loopback', async () => {
    // Prepare
    const table = uniqueName('probe');
    const queue = uniqueName('probe');
    const bucket = uniqueName('probe');

    // Act
    await clients.dynamodb.send(
      new CreateTableCommand({
        TableName: table,
        AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
        KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
        BillingMode: 'PAY_PER_REQUEST',
      }),
    );
    const { QueueUrl } = await clients.sqs.send(new CreateQueueCommand({ QueueName: queue }));
    await clients.sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'hello' }));
    const received = await clients.sqs.send(new ReceiveMessageCommand({ QueueUrl }));
    await clients.s3.send(new CreateBucketCommand({ Bucket: bucket }));
    await clients.s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'a/b.txt', Body: 'body' }));
    const object = await clients.s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'a/b.txt' }));

    // Assess
    // DescribeTable, not ListTables: a listing pages at 100 names, and the suite creates more.
    const described = await clients.dynamodb.send(new DescribeTableCommand({ TableName: table }));
    expect(described.Table?.TableName).toBe(table);
    expect(received.Messages?.[0]?.Body).toBe('hello');
    expect(await object.Body?.transformToString()).toBe('body');
  });

  it('refuses an endpoint that is not on loopback', () => {
    // Prepare
    const endpoints = {
      ...inject('awsEndpoints'),
      dynamodb: 'https://dynamodb.us-east-1.amazonaws.com',
    };

    // Act / Assess
    expect(() => assertLocalEndpoints(endpoints)).toThrow(/not on loopback/);
    expect(() => createAwsClients({ region: 'us-east-1' }, { local: true })).toThrow(
      /explicit loopback endpoint/,
    );
  });
});
