import { CfnOutput, Duration, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type { Construct } from 'constructs';
import { tableEnvironmentName } from '../lambdas/adapters/aws/deployment-environment.js';
import { BucketflowState } from './bucketflow-state.js';
import type { AppSettings } from './config.js';
import { secureBucket } from './secure-bucket.js';

export interface StatefulStackProps extends StackProps {
  readonly settings: AppSettings;
}

/**
 * Tables, the ingest queue and DLQ, the event bus with its archive, the job
 * cache bucket and, on request, a demo source bucket. Retained on removal by
 * default; the stateless stack can be destroyed and redeployed freely.
 *
 * @example
 * ```ts
 * const stateful = new StatefulStack(app, 'BucketflowStateful', { settings });
 * ```
 */
export class StatefulStack extends Stack {
  public readonly state: BucketflowState;
  /** A bucket with EventBridge notifications on, to try bucketflow without touching real data. */
  public readonly demoBucket: s3.Bucket | undefined;

  constructor(scope: Construct, id: string, props: StatefulStackProps) {
    super(scope, id, props);
    const { settings } = props;
    const removalPolicy =
      settings.removalPolicy === 'destroy' ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN;
    this.state = new BucketflowState(this, 'State', {
      removalPolicy,
      ingestBatchWindow: Duration.seconds(settings.ingestBatchWindowSeconds),
      eventArchiveRetention: Duration.days(settings.eventArchiveRetentionDays),
      dlqMaxReceiveCount: settings.dlqMaxReceiveCount,
    });
    this.demoBucket = settings.createDemoBucket
      ? secureBucket(this, 'DemoSourceBucket', {
          accessLogs: this.state.accessLogsBucket,
          accessLogsPrefix: 'demo/',
          removalPolicy,
          eventBridge: true,
        })
      : undefined;

    const output = (id: string, value: string, description: string) =>
      new CfnOutput(this, id, { value, description });
    output(
      'EventBusName',
      this.state.eventBus.eventBusName,
      'Subscribe to objects-batch-ready here',
    );
    output('EventBusArn', this.state.eventBus.eventBusArn, 'ARN of the bucketflow event bus');
    output(
      'EventArchiveName',
      this.state.eventArchive.archiveName,
      'Replay bucketflow events from here',
    );
    output('IngestQueueArn', this.state.ingestQueue.queueArn, 'Redrive destination');
    output('IngestDeadLetterQueueArn', this.state.ingestDeadLetterQueue.queueArn, 'Redrive source');
    output('CacheBucketName', this.state.cacheBucket.bucketName, 'Job caches');
    // The CLI and Client read these as BUCKETFLOW_<ID>_TABLE (docs/cli.md).
    for (const [id, table] of Object.entries(this.state.tables)) {
      output(
        `${id.charAt(0).toUpperCase()}${id.slice(1)}TableName`,
        table.tableName,
        `Set ${tableEnvironmentName(id)} to this for the CLI`,
      );
    }
    if (this.demoBucket) {
      output('DemoBucketName', this.demoBucket.bucketName, 'Upload here to try bucketflow');
    }
  }
}
