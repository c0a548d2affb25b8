// `bucketflow/cdk`: the constructs and their props. aws-cdk-lib and constructs
// are peer dependencies: these constructs use the copy your app uses.

export { BucketflowEngine } from './bucketflow-engine.js';
export type {
  BucketflowEngineProps,
  LambdaRunnerProps,
  TaskRunnerOptions,
} from './bucketflow-engine-props.js';
export type { BucketflowFunctionProps } from './bucketflow-function.js';
export { BucketflowFunction, FUNCTION_RUNTIME } from './bucketflow-function.js';
export type { BucketflowServiceProps } from './bucketflow-service.js';
export { BucketflowService } from './bucketflow-service.js';
export type { BucketflowStateProps } from './bucketflow-state.js';
export { BucketflowState } from './bucketflow-state.js';
export type { ConfigAutomationsProps } from './config-automations.js';
export { ConfigAutomations } from './config-automations.js';
export { InvalidConstructPropsError } from './errors.js';
export type { S3EventType, SourceBucketOptions } from './source-bucket-rule.js';
export type { TaskRunnerFunctionProps } from './task-runner-function.js';
export { TaskRunnerFunction } from './task-runner-function.js';
