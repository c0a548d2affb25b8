import {
  type AttributeDefinition,
  CreateTableCommand,
  type GlobalSecondaryIndex,
  type KeySchemaElement,
  UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';
import { CreateBucketCommand } from '@aws-sdk/client-s3';
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  SetQueueAttributesCommand,
} from '@aws-sdk/client-sqs';
import type { AwsClients } from '../../../lambdas/adapters/aws/aws-clients.js';
import { type IntrinsicResolver, resourcesOfType, type SynthesizedStack } from './template.js';

export const LOCAL_REGION = 'us-east-1';
export const LOCAL_ACCOUNT = '000000000000';

/** What the local deployment created for the stateful resources of a template. */
export interface LocalResources {
  /** Queue URL by logical id. */
  readonly queueUrls: ReadonlyMap<string, string>;
  /** Queue logical id by ARN (event sources and rule targets name queues by ARN). */
  readonly queuesByArn: ReadonlyMap<string, string>;
}

/**
 * Creates what the template declares on the local servers, as CloudFormation
 * would: every DynamoDB table with its key schema, indexes and TTL; every SQS
 * queue with its attributes and redrive policy; every bucket; and defines the
 * `Ref`/`Fn::GetAtt` values of these and of the functions and buses. Names
 * CloudFormation would generate are `<stack>-<logical id>`.
 *
 * @example
 * ```ts
 * const resources = await createLocalResources(stack, clients, resolver);
 * ```
 */
export async function createLocalResources(
  stack: SynthesizedStack,
  clients: AwsClients,
  resolver: IntrinsicResolver,
): Promise<LocalResources> {
  const arn = (service: string, resource: string) =>
    `arn:aws:${service}:${LOCAL_REGION}:${LOCAL_ACCOUNT}:${resource}`;
  const generated = (id: string, max: number) => `${stack.name}-${id}`.slice(0, max);

  for (const [id, resource] of resourcesOfType(stack, 'AWS::DynamoDB::GlobalTable')) {
    const properties = resource.Properties ?? {};
    const name = String(properties.TableName ?? generated(id, 255));
    await clients.dynamodb.send(
      new CreateTableCommand({
        TableName: name,
        BillingMode: 'PAY_PER_REQUEST',
        KeySchema: properties.KeySchema as KeySchemaElement[],
        AttributeDefinitions: properties.AttributeDefinitions as AttributeDefinition[],
        ...(properties.GlobalSecondaryIndexes
          ? { GlobalSecondaryIndexes: properties.GlobalSecondaryIndexes as GlobalSecondaryIndex[] }
          : {}),
      }),
    );
    const ttl = properties.TimeToLiveSpecification as
      | { AttributeName: string; Enabled: boolean }
      | undefined;
    if (ttl?.Enabled) {
      await clients.dynamodb.send(
        new UpdateTimeToLiveCommand({ TableName: name, TimeToLiveSpecification: ttl }),
      );
    }
    resolver.define(id, { ref: name, attributes: { Arn: arn('dynamodb', `table/${name}`) } });
  }

  const queueUrls = new Map<string, string>();
  const queuesByArn = new Map<string, string>();
  const queues = resourcesOfType(stack, 'AWS::SQS::Queue');
  for (const [id, resource] of queues) {
    const properties = resource.Properties ?? {};
    const name = String(properties.QueueName ?? generated(id, 80));
    const attributes: Record<string, string> = {};
    for (const key of ['VisibilityTimeout', 'MessageRetentionPeriod', 'DelaySeconds']) {
      if (properties[key] !== undefined) attributes[key] = String(properties[key]);
    }
    const { QueueUrl } = await clients.sqs.send(
      new CreateQueueCommand({ QueueName: name, Attributes: attributes }),
    );
    const { Attributes } = await clients.sqs.send(
      new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }),
    );
    const queueArn = String(Attributes?.QueueArn);
    queueUrls.set(id, String(QueueUrl));
    queuesByArn.set(queueArn, id);
    resolver.define(id, {
      ref: String(QueueUrl),
      attributes: { Arn: queueArn, QueueName: name, QueueUrl: String(QueueUrl) },
    });
  }
  // The redrive policies name their DLQs by ARN, known once every queue exists.
  for (const [id, resource] of queues) {
    const redrive = resource.Properties?.RedrivePolicy;
    if (redrive === undefined) continue;
    await clients.sqs.send(
      new SetQueueAttributesCommand({
        QueueUrl: queueUrls.get(id),
        Attributes: { RedrivePolicy: JSON.stringify(resolver.resolve(redrive)) },
      }),
    );
  }

  for (const [id, resource] of resourcesOfType(stack, 'AWS::S3::Bucket')) {
    const name = String(
      resource.Properties?.BucketName ??
        generated(id, 63)
          .toLowerCase()
          .replace(/[^a-z0-9-]/g, '-'),
    );
    await clients.s3.send(new CreateBucketCommand({ Bucket: name }));
    resolver.define(id, {
      ref: name,
      attributes: {
        Arn: `arn:aws:s3:::${name}`,
        DomainName: `${name}.s3.amazonaws.com`,
        RegionalDomainName: `${name}.s3.${LOCAL_REGION}.amazonaws.com`,
      },
    });
  }

  for (const [id, resource] of resourcesOfType(stack, 'AWS::Events::EventBus')) {
    const name = String(resource.Properties?.Name ?? generated(id, 256));
    resolver.define(id, {
      ref: name,
      attributes: { Arn: arn('events', `event-bus/${name}`), Name: name },
    });
  }
  for (const [id] of resourcesOfType(stack, 'AWS::Lambda::Function')) {
    resolver.define(id, { ref: id, attributes: { Arn: arn('lambda', `function:${id}`) } });
  }
  return { queueUrls, queuesByArn };
}
