import { Duration } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';

/** The S3 event types bucketflow consumes (EventBridge detail-types). */
export const S3_EVENT_TYPES = ['Object Created', 'Object Deleted'] as const;
export type S3EventType = (typeof S3_EVENT_TYPES)[number];

/** EventBridge keeps retrying delivery to the queue for a day before using the rule's DLQ. */
const DELIVERY_MAX_EVENT_AGE = Duration.hours(24);
const DELIVERY_MAX_RETRIES = 185;

/**
 * Delivers matched events to the ingest queue, with the ingest DLQ as the
 * rule's dead-letter queue. Unlike the stock `SqsQueue` target it adds no
 * per-rule statement to the queue policy: the queue (in the stateful stack)
 * already admits the rules of its own account, and a per-rule statement would
 * make the stateful stack depend on the stateless one.
 *
 * @example
 * ```ts
 * rule.addTarget(new IngestQueueTarget(state.ingestQueue, state.ingestDeadLetterQueue));
 * ```
 */
export class IngestQueueTarget implements events.IRuleTarget {
  constructor(
    private readonly queue: sqs.IQueue,
    private readonly deadLetterQueue: sqs.IQueue,
  ) {}

  bind(): events.RuleTargetConfig {
    return {
      arn: this.queue.queueArn,
      targetResource: this.queue,
      deadLetterConfig: { arn: this.deadLetterQueue.queueArn },
      retryPolicy: {
        maximumEventAgeInSeconds: DELIVERY_MAX_EVENT_AGE.toSeconds(),
        maximumRetryAttempts: DELIVERY_MAX_RETRIES,
      },
    };
  }
}

export interface SourceBucketOptions {
  /** Construct id of the bucket's rule and alarm. @default from the bucket name (or `SourceBucket<n>` if it is a token) */
  readonly id?: string;
  /** @default ['Object Created', 'Object Deleted'] */
  readonly eventTypes?: readonly S3EventType[];
  /** Only keys under these prefixes are ingested (filtered by EventBridge, at no cost). @default every key */
  readonly keyPrefixes?: readonly string[];
  /** SSE-KMS key of the bucket's objects, for imported buckets. @default bucket.encryptionKey */
  readonly encryptionKey?: kms.IKey;
}

export interface SourceBucketRuleProps {
  readonly bucket: s3.IBucket;
  readonly ingestQueue: sqs.IQueue;
  readonly ingestDeadLetterQueue: sqs.IQueue;
  /** @default both S3_EVENT_TYPES */
  readonly eventTypes?: readonly S3EventType[];
  /** Only keys starting with one of these prefixes reach the queue. @default every key */
  readonly keyPrefixes?: readonly string[];
}

/**
 * The EventBridge rule (on the default bus, where S3 delivers) that sends one
 * bucket's object events to the ingest queue. One rule per bucket, so that
 * each bucket has its own Invocations / FailedInvocations metrics.
 *
 * @example
 * ```ts
 * const rule = sourceBucketRule(this, 'DataBucketRule', { bucket, ingestQueue, ingestDeadLetterQueue });
 * ```
 */
export function sourceBucketRule(
  scope: Construct,
  id: string,
  props: SourceBucketRuleProps,
): events.Rule {
  const prefixes = props.keyPrefixes ?? [];
  const rule = new events.Rule(scope, id, {
    description: `bucketflow: S3 object events of one source bucket to the ingest queue`,
    eventPattern: {
      source: ['aws.s3'],
      detailType: [...(props.eventTypes ?? S3_EVENT_TYPES)],
      detail: {
        bucket: { name: [props.bucket.bucketName] },
        ...(prefixes.length > 0 ? { object: { key: prefixes.map((prefix) => ({ prefix })) } } : {}),
      },
    },
  });
  rule.addTarget(new IngestQueueTarget(props.ingestQueue, props.ingestDeadLetterQueue));
  return rule;
}
