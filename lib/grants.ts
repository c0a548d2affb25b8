import { Arn, Stack } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import type { TableDefinition } from '../lambdas/adapters/aws/dynamodb/table-definition.js';
import { InvalidConstructPropsError } from './errors.js';
import { acknowledgeWildcardResource } from './nag.js';

// Grants with explicit action lists: the L2 `grantRead` helpers use action
// wildcards (`s3:GetObject*`, `s3:List*`) and `index/*` resources, and
// bucketflow's policies name every action and every index instead.

export type TableAccess = 'read' | 'readWrite';

const TABLE_READ = [
  'dynamodb:GetItem',
  'dynamodb:BatchGetItem',
  'dynamodb:Query',
  'dynamodb:ConditionCheckItem',
  'dynamodb:DescribeTable',
];
const TABLE_WRITE = [
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
  'dynamodb:DeleteItem',
  'dynamodb:BatchWriteItem',
];
const OBJECT_READ = ['s3:GetObject', 's3:GetObjectVersion'];
const OBJECT_WRITE = ['s3:PutObject', 's3:DeleteObject', 's3:AbortMultipartUpload'];
/** What submitting a task needs: find or create the cluster's queue (and DLQ), then send. */
const TASK_QUEUE_PRODUCE = [
  'sqs:CreateQueue',
  'sqs:GetQueueUrl',
  'sqs:GetQueueAttributes',
  'sqs:SetQueueAttributes',
  'sqs:TagQueue',
  'sqs:SendMessage',
];
const TASK_QUEUE_CONSUME = [
  'sqs:ReceiveMessage',
  'sqs:DeleteMessage',
  'sqs:ChangeMessageVisibility',
];

/**
 * Grants item access to one table and Query on each of its indexes, by name.
 *
 * @example
 * ```ts
 * grantTableAccess(fn, jobs, jobsTable, 'readWrite');
 * ```
 */
export function grantTableAccess(
  grantee: iam.IGrantable,
  table: dynamodb.ITableV2,
  definition: TableDefinition,
  access: TableAccess,
): void {
  iam.Grant.addToPrincipal({
    grantee,
    actions: access === 'readWrite' ? [...TABLE_READ, ...TABLE_WRITE] : TABLE_READ,
    resourceArns: [table.tableArn],
  });
  const indexes = definition.globalIndexes ?? [];
  if (indexes.length === 0) return;
  iam.Grant.addToPrincipal({
    grantee,
    actions: ['dynamodb:Query'],
    resourceArns: indexes.map((index) => `${table.tableArn}/index/${index.indexName}`),
  });
}

/**
 * Grants reading any object of `bucket` (and listing it). Decrypt on the
 * bucket's KMS key is added when the key is known.
 *
 * @example
 * ```ts
 * grantObjectRead(runner, sourceBucket, 'runners read the objects that triggered their tasks');
 * ```
 */
export function grantObjectRead(
  grantee: iam.IGrantable,
  bucket: s3.IBucket,
  reason: string,
  encryptionKey: kms.IKey | undefined = bucket.encryptionKey,
): void {
  grantObjects(grantee, bucket, OBJECT_READ, reason);
  encryptionKey?.grantDecrypt(grantee);
}

/**
 * Grants reading, writing and deleting any object of `bucket` (and listing it).
 *
 * @example
 * ```ts
 * grantObjectReadWrite(runner, cacheBucket, 'job caches are keyed by job id');
 * ```
 */
export function grantObjectReadWrite(
  grantee: iam.IGrantable,
  bucket: s3.IBucket,
  reason: string,
): void {
  grantObjects(grantee, bucket, [...OBJECT_READ, ...OBJECT_WRITE], reason);
  bucket.encryptionKey?.grantEncryptDecrypt(grantee);
}

function grantObjects(
  grantee: iam.IGrantable,
  bucket: s3.IBucket,
  actions: string[],
  reason: string,
): void {
  const objects = bucket.arnForObjects('*');
  iam.Grant.addToPrincipal({ grantee, actions, resourceArns: [objects] });
  iam.Grant.addToPrincipal({
    grantee,
    actions: ['s3:ListBucket'],
    resourceArns: [bucket.bucketArn],
  });
  acknowledgeOn(
    grantee,
    objects,
    `Object-level actions need the object ARN <bucket>/*: ${reason}.`,
  );
}

/**
 * The ARN pattern of the on-demand task queues, `arn:aws:sqs:<region>:<account>:<prefix>*`.
 *
 * @example
 * ```ts
 * taskQueueArnPattern(this, 'bucketflow-tasks-');
 * ```
 */
export function taskQueueArnPattern(scope: Construct, prefix: string): string {
  return Arn.format({ service: 'sqs', resource: `${prefix}*` }, Stack.of(scope));
}

/**
 * Grants creating and sending to the task queues the app creates on demand
 * (one per cluster, task name and major version, and `<prefix><cluster>-dlq`), and with `consume` also
 * receiving from them, as an external runner does.
 *
 * @example
 * ```ts
 * grantTaskQueues(ingestFunction, 'bucketflow-tasks-');
 * ```
 */
export function grantTaskQueues(
  grantee: iam.IGrantable,
  prefix: string,
  { consume = false }: { consume?: boolean } = {},
): void {
  const scope = Construct.isConstruct(grantee) ? grantee : grantee.grantPrincipal;
  if (!Construct.isConstruct(scope)) {
    throw new InvalidConstructPropsError(
      'grantee',
      'must be a construct (a role or a function): the queue ARN needs its stack',
      'pass the role itself',
    );
  }
  const pattern = taskQueueArnPattern(scope, prefix);
  iam.Grant.addToPrincipal({
    grantee,
    actions: consume ? [...TASK_QUEUE_PRODUCE, ...TASK_QUEUE_CONSUME] : TASK_QUEUE_PRODUCE,
    resourceArns: [pattern],
  });
  acknowledgeOn(
    grantee,
    pattern,
    'Task queues are created at run time, one per cluster, task name and major version, so their names are only known by prefix; the prefix is unique to this deployment',
  );
}

function acknowledgeOn(grantee: iam.IGrantable, resource: string, reason: string): void {
  const holder = grantee.grantPrincipal;
  if (Construct.isConstruct(holder)) acknowledgeWildcardResource(holder, resource, reason);
}
