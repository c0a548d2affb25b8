import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import type { Construct } from 'constructs';
import { acknowledge } from './nag.js';

/** Incomplete multipart uploads cost storage and are never useful after a day. */
const ABORT_MULTIPART_AFTER = Duration.days(1);

export interface SecureBucketOptions {
  /** Where S3 writes this bucket's server access logs; undefined for the log bucket itself. */
  readonly accessLogs: s3.IBucket | undefined;
  readonly accessLogsPrefix?: string;
  /** @default RemovalPolicy.RETAIN */
  readonly removalPolicy?: RemovalPolicy;
  /** Delete objects this long after creation. @default never */
  readonly expiration?: Duration;
  /** Send S3 "Object Created/Deleted" events to EventBridge (CloudFormation's own setting, no custom resource). */
  readonly eventBridge?: boolean;
}

/**
 * A private bucket with bucketflow's secure defaults: SSE-S3 encryption,
 * every public access blocked, TLS-only bucket policy, ACLs disabled, server
 * access logs, and incomplete multipart uploads cleaned up.
 *
 * @example
 * ```ts
 * const cache = secureBucket(this, 'CacheBucket', { accessLogs: logs, accessLogsPrefix: 'cache/' });
 * ```
 */
export function secureBucket(
  scope: Construct,
  id: string,
  options: SecureBucketOptions,
): s3.Bucket {
  const bucket = new s3.Bucket(scope, id, {
    // SSE-S3 rather than KMS: server access log delivery only supports SSE-S3
    // targets, and KMS would add a per-request cost to every cache read.
    encryption: s3.BucketEncryption.S3_MANAGED,
    blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
    enforceSSL: true,
    objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
    removalPolicy: options.removalPolicy ?? RemovalPolicy.RETAIN,
    lifecycleRules: [
      {
        abortIncompleteMultipartUploadAfter: ABORT_MULTIPART_AFTER,
        ...(options.expiration ? { expiration: options.expiration } : {}),
      },
    ],
    ...(options.accessLogs
      ? {
          serverAccessLogsBucket: options.accessLogs,
          serverAccessLogsPrefix: options.accessLogsPrefix ?? `${id}/`,
        }
      : {}),
  });
  if (options.eventBridge) {
    (bucket.node.defaultChild as s3.CfnBucket).notificationConfiguration = {
      eventBridgeConfiguration: { eventBridgeEnabled: true },
    };
  }
  if (!options.accessLogs) {
    acknowledge(
      bucket,
      'AwsSolutions-S1',
      'This is the server access log bucket; logging its own access would write a log object for every log object.',
    );
  }
  return bucket;
}
