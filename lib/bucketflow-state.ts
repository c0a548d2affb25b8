import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { TableDefinition } from '../lambdas/adapters/aws/dynamodb/table-definition.js';
import {
  DEFAULT_INGEST_BATCH_WINDOW,
  DLQ_MAX_RECEIVE_COUNT,
  DLQ_RETENTION,
  EVENT_ARCHIVE_RETENTION_DAYS,
  INGEST_FUNCTION_TIMEOUT,
  INGEST_RETENTION,
  VISIBILITY_TIMEOUT_FACTOR,
} from './constants.js';
import { InvalidConstructPropsError } from './errors.js';
import { secureBucket } from './secure-bucket.js';
import { tableFromDefinition } from './table-from-definition.js';
import { BUCKETFLOW_TABLES } from './tables.js';

const ACCESS_LOGS_EXPIRATION = Duration.days(90);
const SERVER_ACCESS_LOGS_USE_BUCKET_POLICY = '@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy';

export interface BucketflowStateProps {
  /**
   * What happens to tables, queues, buckets and the bus when they leave the stack.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
  /** @default BUCKETFLOW_TABLES (every table of the service) */
  readonly tableDefinitions?: readonly TableDefinition[];
  /**
   * Timeout of the function that consumes the ingest queue; the queue's
   * visibility timeout is six times this plus the batching window.
   * @default INGEST_FUNCTION_TIMEOUT (60 s)
   */
  readonly ingestFunctionTimeout?: Duration;
  /**
   * How long Lambda gathers events before invoking ingest (at most 5 minutes);
   * the ingest queue's visibility timeout allows for it. @default INGEST_BATCH_WINDOW_SECONDS (10 s)
   */
  readonly ingestBatchWindow?: Duration;
  /** Receives before an ingest message moves to the DLQ. @default DLQ_MAX_RECEIVE_COUNT (5) */
  readonly dlqMaxReceiveCount?: number;
  /** How long the bus archive keeps events for replay; zero keeps them forever. @default 30 days */
  readonly eventArchiveRetention?: Duration;
  /** Delete job cache objects this long after they were written. @default never */
  readonly cacheExpiration?: Duration;
}

/**
 * The stateful half of bucketflow: the DynamoDB tables (built from the
 * adapters' table definitions), the ingest queue and its DLQ, the custom bus
 * for `objects-batch-ready` with a replay archive, and the job cache bucket.
 * Everything is encrypted at rest and accepts TLS requests only.
 *
 * @example
 * ```ts
 * const state = new BucketflowState(stack, 'State', { removalPolicy: RemovalPolicy.RETAIN });
 * state.table('jobs').tableName;
 * ```
 */
export class BucketflowState extends Construct {
  /** Tables by TableDefinition id (`jobs`, `batches`, ...). */
  public readonly tables: Readonly<Record<string, dynamodb.TableV2>>;
  public readonly tableDefinitions: readonly TableDefinition[];
  /** S3 events in EventBridge shape, delivered by the source bucket rules. */
  public readonly ingestQueue: sqs.Queue;
  /** Ingest messages that failed `dlqMaxReceiveCount` times, and events the rules could not deliver. */
  public readonly ingestDeadLetterQueue: sqs.Queue;
  public readonly ingestVisibilityTimeout: Duration;
  public readonly dlqMaxReceiveCount: number;
  /** The custom bus that receives `objects-batch-ready`. */
  public readonly eventBus: events.EventBus;
  public readonly eventArchive: events.Archive;
  public readonly cacheBucket: s3.Bucket;
  public readonly accessLogsBucket: s3.Bucket;
  public readonly removalPolicy: RemovalPolicy;

  constructor(scope: Construct, id: string, props: BucketflowStateProps = {}) {
    super(scope, id);
    // Server access logs are delivered under a bucket policy, the only way that works with
    // ACLs disabled (BUCKET_OWNER_ENFORCED). CDK does that only under this feature flag, so
    // the construct sets it for its own scope and synthesizes the same in any app.
    this.node.setContext(SERVER_ACCESS_LOGS_USE_BUCKET_POLICY, true);
    this.removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    const removalPolicy = this.removalPolicy;

    this.tableDefinitions = props.tableDefinitions ?? BUCKETFLOW_TABLES;
    const tables: Record<string, dynamodb.TableV2> = {};
    for (const definition of this.tableDefinitions) {
      tables[definition.id] = tableFromDefinition(this, definition, { removalPolicy });
    }
    this.tables = tables;

    const timeout = props.ingestFunctionTimeout ?? INGEST_FUNCTION_TIMEOUT;
    const window = props.ingestBatchWindow ?? DEFAULT_INGEST_BATCH_WINDOW;
    this.ingestVisibilityTimeout = Duration.seconds(
      VISIBILITY_TIMEOUT_FACTOR * timeout.toSeconds() + window.toSeconds(),
    );
    this.dlqMaxReceiveCount = props.dlqMaxReceiveCount ?? DLQ_MAX_RECEIVE_COUNT;
    this.ingestDeadLetterQueue = new sqs.Queue(this, 'IngestDeadLetterQueue', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: DLQ_RETENTION,
      removalPolicy,
    });
    this.ingestQueue = new sqs.Queue(this, 'IngestQueue', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      visibilityTimeout: this.ingestVisibilityTimeout,
      retentionPeriod: INGEST_RETENTION,
      deadLetterQueue: {
        queue: this.ingestDeadLetterQueue,
        maxReceiveCount: this.dlqMaxReceiveCount,
      },
      removalPolicy,
    });
    for (const queue of [this.ingestQueue, this.ingestDeadLetterQueue]) allowRuleDelivery(queue);

    this.eventBus = new events.EventBus(this, 'EventBus', {
      description: 'bucketflow: objects-batch-ready and other bucketflow events',
    });
    this.eventBus.applyRemovalPolicy(removalPolicy);
    this.eventBus.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'DenyInsecureTransport',
        effect: iam.Effect.DENY,
        principals: [new iam.AnyPrincipal()],
        actions: ['events:PutEvents'],
        resources: [this.eventBus.eventBusArn],
        conditions: { Bool: { 'aws:SecureTransport': 'false' } },
      }),
    );
    const retentionDays = props.eventArchiveRetention?.toDays() ?? EVENT_ARCHIVE_RETENTION_DAYS;
    this.eventArchive = new events.Archive(this, 'EventArchive', {
      sourceEventBus: this.eventBus,
      // Everything this account puts on the bus, so any event can be replayed.
      eventPattern: { account: [Stack.of(this).account] },
      retention: Duration.days(retentionDays),
      description: 'bucketflow events for replay',
    });
    this.eventArchive.applyRemovalPolicy(removalPolicy);

    this.accessLogsBucket = secureBucket(this, 'AccessLogsBucket', {
      accessLogs: undefined,
      removalPolicy,
      expiration: ACCESS_LOGS_EXPIRATION,
    });
    this.cacheBucket = secureBucket(this, 'CacheBucket', {
      accessLogs: this.accessLogsBucket,
      accessLogsPrefix: 'cache/',
      removalPolicy,
      ...(props.cacheExpiration ? { expiration: props.cacheExpiration } : {}),
    });
  }

  /**
   * The table with TableDefinition id `id`.
   *
   * @example
   * ```ts
   * state.table('jobs').grantReadData(reader);
   * ```
   */
  table(id: string): dynamodb.TableV2 {
    const table = this.tables[id];
    if (!table) {
      throw new InvalidConstructPropsError(
        'table',
        `${JSON.stringify(id)} is not a table of this BucketflowState`,
        `use one of ${Object.keys(this.tables).join(', ')}`,
      );
    }
    return table;
  }
}

/**
 * Lets EventBridge rules of this account and region deliver to `queue` (as
 * target or as a rule's DLQ). The rules live in the stateless stack; scoping
 * by account and rule ARN pattern instead of each rule's ARN keeps the
 * dependency one-way (stateless → stateful).
 */
function allowRuleDelivery(queue: sqs.Queue): void {
  const stack = Stack.of(queue);
  queue.addToResourcePolicy(
    new iam.PolicyStatement({
      sid: 'AllowEventBridgeRulesOfThisAccount',
      principals: [new iam.ServicePrincipal('events.amazonaws.com')],
      actions: ['sqs:SendMessage'],
      resources: [queue.queueArn],
      conditions: {
        StringEquals: { 'aws:SourceAccount': stack.account },
        ArnLike: { 'aws:SourceArn': stack.formatArn({ service: 'events', resource: 'rule/*' }) },
      },
    }),
  );
}
