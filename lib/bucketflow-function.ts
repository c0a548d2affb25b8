import { type Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { ENV } from '../lambdas/adapters/aws/deployment-environment.js';
import { METRIC_NAMESPACE, METRIC_SERVICE } from '../lambdas/core/metrics/metric-catalog.js';
import { type BundleSource, bundledCode } from './bundling.js';
import { acknowledge } from './nag.js';

/** Runtime of every bucketflow function; the bundle targets the same Node.js major. */
export const FUNCTION_RUNTIME = lambda.Runtime.NODEJS_22_X;

export interface BucketflowFunctionProps {
  /** The entry file exporting `handler`, or generated source that imports one. */
  readonly source: BundleSource;
  readonly description: string;
  readonly timeout: Duration;
  readonly memorySize: number;
  readonly environment: Readonly<Record<string, string>>;
  readonly logRetention: logs.RetentionDays;
  /** @default RemovalPolicy.DESTROY (logs go with the function) */
  readonly logRemovalPolicy?: RemovalPolicy;
  /** Retries of asynchronous invocations (schedules). @default Lambda's default (2) */
  readonly retryAttempts?: number;
}

/**
 * One bucketflow Lambda function: an ESM bundle built at synth time by
 * esbuild (`bundledCode`: no Docker, no lock file), Node.js 22 on arm64, JSON logs in its own log group with a
 * set retention, and its own role that may only write to that log group
 * until grants are added (no AWS managed policy).
 *
 * @example
 * ```ts
 * const sweep = new BucketflowFunction(this, 'BatchSweep', {
 *   source: { entry: handlerEntry('batch-sweep') }, description: 'closes quiet batches',
 *   timeout: Duration.seconds(55), memorySize: 256, environment: {}, logRetention: logs.RetentionDays.ONE_MONTH,
 * });
 * ```
 */
export class BucketflowFunction extends Construct implements iam.IGrantable {
  public readonly function: lambda.Function;
  public readonly role: iam.Role;
  public readonly logGroup: logs.LogGroup;
  public readonly grantPrincipal: iam.IPrincipal;

  constructor(scope: Construct, id: string, props: BucketflowFunctionProps) {
    super(scope, id);
    this.logGroup = new logs.LogGroup(this, 'LogGroup', {
      retention: props.logRetention,
      removalPolicy: props.logRemovalPolicy ?? RemovalPolicy.DESTROY,
    });
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `bucketflow ${id}: least-privilege role`,
    });
    this.grantPrincipal = this.role;
    this.logGroup.grantWrite(this.role);

    this.function = new lambda.Function(this, 'Function', {
      code: bundledCode(props.source),
      handler: 'index.handler',
      description: props.description,
      runtime: FUNCTION_RUNTIME,
      architecture: lambda.Architecture.ARM_64,
      timeout: props.timeout,
      memorySize: props.memorySize,
      role: this.role,
      logGroup: this.logGroup,
      loggingFormat: lambda.LoggingFormat.JSON,
      applicationLogLevelV2: lambda.ApplicationLogLevel.INFO,
      systemLogLevelV2: lambda.SystemLogLevel.WARN,
      ...(props.retryAttempts === undefined ? {} : { retryAttempts: props.retryAttempts }),
      environment: {
        NODE_OPTIONS: '--enable-source-maps',
        [ENV.metricsNamespace]: METRIC_NAMESPACE,
        [ENV.serviceName]: METRIC_SERVICE,
        ...props.environment,
      },
    });
    acknowledge(
      this.function,
      'AwsSolutions-L1',
      'Pinned to Node.js 22, the major the bundle targets and the code is tested on; moving to a newer runtime is a deliberate upgrade.',
    );
  }

  /**
   * Adds an environment variable to the function.
   *
   * @example
   * ```ts
   * fn.addEnvironment('BUCKETFLOW_SOURCE_BUCKETS', 'a,b');
   * ```
   */
  addEnvironment(key: string, value: string): void {
    this.function.addEnvironment(key, value);
  }
}
