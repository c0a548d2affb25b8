// `bucketflow/lambda`: the Lambda task runner handler and what an entry of
// your own needs to build one (TaskRunnerFunction's `entry`).

export type { TaskClass } from '../sdk/task.js';
export { taskClassesOf, taskClassesOfModules } from '../sdk/task-modules.js';
export type { SqsBatchResponse, SqsEvent, SqsRecord } from './sqs-event.js';
export type { TaskRunnerHandlerOptions } from './task-runner.js';
export { createTaskRunnerHandler } from './task-runner.js';
