import { CfnOutput, Duration, Stack, type StackProps } from 'aws-cdk-lib';
import type * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sns from 'aws-cdk-lib/aws-sns';
import type { Construct } from 'constructs';
import { BucketflowEngine } from './bucketflow-engine.js';
import type { BucketflowState } from './bucketflow-state.js';
import type { BucketflowConfig } from './config.js';

export interface StatelessStackProps extends StackProps {
  readonly config: BucketflowConfig;
  /** The state built by the StatefulStack. */
  readonly state: BucketflowState;
  /** Source buckets created elsewhere in the app (the demo bucket). @default none */
  readonly extraSourceBuckets?: readonly s3.IBucket[];
}

/**
 * Functions, schedules, source bucket rules, Lambda task runners, the
 * dashboard and the alarms, wired to the StatefulStack's resources.
 *
 * @example
 * ```ts
 * new StatelessStack(app, 'BucketflowStateless', { config, state: stateful.state });
 * ```
 */
export class StatelessStack extends Stack {
  public readonly engine: BucketflowEngine;

  constructor(scope: Construct, id: string, props: StatelessStackProps) {
    super(scope, id, props);
    const { config } = props;
    this.engine = new BucketflowEngine(this, 'Engine', {
      state: props.state,
      ingestBatchSize: config.ingestBatchSize,
      ingestBatchWindow: Duration.seconds(config.ingestBatchWindowSeconds),
      sweepPeriod: Duration.minutes(config.sweepPeriodMinutes),
      cronPeriod: Duration.minutes(config.cronPeriodMinutes),
      reconcilePeriod: Duration.minutes(config.reconcilePeriodMinutes),
      logRetention: config.logRetentionDays as logs.RetentionDays,
      taskQueuePrefix: config.taskQueuePrefix,
      ingestAgeAlarmThreshold: Duration.seconds(config.ingestAgeAlarmSeconds),
      ...(config.alarmTopicArn
        ? { alarmTopic: sns.Topic.fromTopicArn(this, 'AlarmTopic', config.alarmTopicArn) }
        : {}),
    });
    for (const name of config.sourceBuckets) {
      this.engine.addSourceBucket(s3.Bucket.fromBucketName(this, `Source-${name}`, name), {
        id: `SourceBucket-${name}`,
      });
    }
    props.extraSourceBuckets?.forEach((bucket, index) => {
      this.engine.addSourceBucket(bucket, { id: `ExtraSourceBucket${index + 1}` });
    });
    for (const cluster of config.lambdaRunnerClusters) {
      this.engine.addTaskRunner(cluster, { tasks: config.lambdaRunnerTasks });
    }
    new CfnOutput(this, 'DashboardName', {
      value: this.engine.monitoring.dashboard.dashboardName,
      description: 'CloudWatch dashboard of bucketflow',
    });
  }
}
