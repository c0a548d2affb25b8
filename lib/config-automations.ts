import { CustomResource, Duration, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import type { ConfigPlan } from '../lambdas/core/services/config-apply.js';
import { BucketflowFunction } from './bucketflow-function.js';
import type { BucketflowState } from './bucketflow-state.js';
import { handlerEntry } from './bundling.js';
import { acknowledge, acknowledgeWildcardResource } from './nag.js';
import { grantTablesFor } from './tables.js';

/** Applying a plan is a few dozen conditional writes; a minute leaves room for throttling retries. */
const APPLY_TIMEOUT = Duration.minutes(1);
const APPLY_MEMORY_MB = 256;

export interface ConfigAutomationsProps {
  readonly state: BucketflowState;
  /** The plan of the config (`configPlan`), bucket names possibly tokens. */
  readonly plan: ConfigPlan;
  /** Environment shared by every bucketflow function. */
  readonly environment: Readonly<Record<string, string>>;
  readonly logRetention: logs.RetentionDays;
}

/**
 * Applies a config's automations, clusters and storage locations at deploy
 * time: a CloudFormation custom resource (CDK Provider framework) whose
 * `onEvent` function runs `applyConfigPlan`, the code `bucketflow dev` runs.
 * A changed config updates the resource, which creates, replaces and deletes
 * automations; deleting the stack deletes the automations it created (their
 * jobs stay).
 *
 * @example
 * ```ts
 * new ConfigAutomations(this, 'Config', { state, plan, environment, logRetention: logs.RetentionDays.ONE_MONTH });
 * ```
 */
export class ConfigAutomations extends Construct {
  public readonly applyFunction: BucketflowFunction;
  public readonly provider: cr.Provider;
  public readonly resource: CustomResource;

  constructor(scope: Construct, id: string, props: ConfigAutomationsProps) {
    super(scope, id);
    this.applyFunction = new BucketflowFunction(this, 'Apply', {
      source: { entry: handlerEntry('config-apply') },
      description: 'bucketflow: applies the config’s automations at deploy time',
      timeout: APPLY_TIMEOUT,
      memorySize: APPLY_MEMORY_MB,
      environment: props.environment,
      logRetention: props.logRetention,
    });
    grantTablesFor(this.applyFunction, props.state, 'config');

    // The framework's own function gets a role and log group of ours, instead of
    // the AWS managed execution policy it would attach to one it creates.
    const frameworkLogs = new logs.LogGroup(this, 'ProviderLogGroup', {
      retention: props.logRetention,
    });
    const frameworkRole = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: 'bucketflow config provider: invokes the apply function',
    });
    frameworkLogs.grantWrite(frameworkRole);
    this.provider = new cr.Provider(this, 'Provider', {
      onEventHandler: this.applyFunction.function,
      frameworkOnEventRole: frameworkRole,
      logGroup: frameworkLogs,
    });
    acknowledgeWildcardResource(
      frameworkRole,
      `${this.applyFunction.function.functionArn}:*`,
      'the CDK Provider framework invokes any version of the apply function',
    );
    acknowledge(
      this.provider.node.findChild('framework-onEvent'),
      'AwsSolutions-L1',
      'The CDK Provider framework picks the runtime of its own function, which this app does not control.',
    );
    this.resource = new CustomResource(this, 'Resource', {
      serviceToken: this.provider.serviceToken,
      resourceType: 'Custom::BucketflowConfig',
      properties: { Plan: Stack.of(this).toJsonString(props.plan) },
    });
  }
}
