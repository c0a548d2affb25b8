import { CfnOutput, Duration, Stack, type StackProps } from 'aws-cdk-lib';
import type * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sns from 'aws-cdk-lib/aws-sns';
import type { Construct } from 'constructs';
import type { BucketflowConfig } from '../lambdas/sdk/config.js';
import { BucketflowEngine } from './bucketflow-engine.js';
import type { BucketflowState } from './bucketflow-state.js';
import type { AppSettings } from './config.js';

export interface StatelessStackProps extends StackProps {
  readonly settings: AppSettings;
  /** The state built by the StatefulStack. */
  readonly state: BucketflowState;
  /** Source buckets created elsewhere in the app (the demo bucket). @default none */
  readonly extraSourceBuckets?: readonly s3.IBucket[];
  /** The config module's config (`bucketflow:config`), deployed by the engine. @default none */
  readonly config?: BucketflowConfig;
  /** Buckets of the config's S3 locations created elsewhere in the app, by location name. @default none */
  readonly locationBuckets?: Readonly<Record<string, s3.IBucket>>;
}

/**
 * Functions, schedules, source bucket rules, the config's Lambda task
 * runners and deploy-time automations, the dashboard and the alarms, wired
 * to the StatefulStack's resources.
 *
 * @example
 * ```ts
 * new StatelessStack(app, 'BucketflowStateless', { settings, config, state: stateful.state });
 * ```
 */
export class StatelessStack extends Stack {
  public readonly engine: BucketflowEngine;

  constructor(scope: Construct, id: string, props: StatelessStackProps) {
    super(scope, id, props);
    const { settings } = props;
    this.engine = new BucketflowEngine(this, 'Engine', {
      state: props.state,
      ingestBatchSize: settings.ingestBatchSize,
      ingestBatchWindow: Duration.seconds(settings.ingestBatchWindowSeconds),
      sweepPeriod: Duration.minutes(settings.sweepPeriodMinutes),
      cronPeriod: Duration.minutes(settings.cronPeriodMinutes),
      reconcilePeriod: Duration.minutes(settings.reconcilePeriodMinutes),
      logRetention: settings.logRetentionDays as logs.RetentionDays,
      taskQueuePrefix: settings.taskQueuePrefix,
      ingestAgeAlarmThreshold: Duration.seconds(settings.ingestAgeAlarmSeconds),
      ...(settings.alarmTopicArn
        ? { alarmTopic: sns.Topic.fromTopicArn(this, 'AlarmTopic', settings.alarmTopicArn) }
        : {}),
      ...(props.config ? { config: props.config } : {}),
      ...(props.locationBuckets ? { locationBuckets: props.locationBuckets } : {}),
    });
    for (const name of settings.sourceBuckets) {
      this.engine.addSourceBucket(s3.Bucket.fromBucketName(this, `Source-${name}`, name), {
        id: `SourceBucket-${name}`,
      });
    }
    props.extraSourceBuckets?.forEach((bucket, index) => {
      this.engine.addSourceBucket(bucket, { id: `ExtraSourceBucket${index + 1}` });
    });
    new CfnOutput(this, 'DashboardName', {
      value: this.engine.monitoring.dashboard.dashboardName,
      description: 'CloudWatch dashboard of bucketflow',
    });
  }
}
