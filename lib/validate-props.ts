import { Duration } from 'aws-cdk-lib';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type { BucketflowEngineProps } from './bucketflow-engine-props.js';
import * as limits from './constants.js';
import { InvalidConstructPropsError } from './errors.js';
import { queuePrefixProblem } from './names.js';

/** Engine settings with every default applied. */
export interface EngineSettings {
  readonly ingestBatchSize: number;
  readonly ingestBatchWindow: Duration;
  readonly sweepPeriod: Duration;
  readonly cronPeriod: Duration;
  readonly reconcilePeriod: Duration;
  readonly logRetention: logs.RetentionDays;
  readonly taskQueuePrefix: string;
  readonly ingestAgeAlarmThreshold: Duration;
}

/**
 * Applies defaults and checks the engine props at synth time, with messages
 * that name the prop (CDK's own checks would name a CloudFormation property).
 *
 * @throws InvalidConstructPropsError
 * @example
 * ```ts
 * const settings = validateEngineProps({ state, ingestBatchSize: 500 });
 * ```
 */
export function validateEngineProps(props: BucketflowEngineProps): EngineSettings {
  const ingestBatchSize = props.ingestBatchSize ?? limits.INGEST_BATCH_SIZE;
  integerIn(
    'ingestBatchSize',
    ingestBatchSize,
    1,
    limits.INGEST_BATCH_SIZE_MAX,
    'SQS batch size limit',
  );
  const ingestBatchWindow = props.ingestBatchWindow ?? limits.DEFAULT_INGEST_BATCH_WINDOW;
  const windowSeconds = ingestBatchWindow.toSeconds();
  integerIn(
    'ingestBatchWindow',
    windowSeconds,
    0,
    limits.INGEST_BATCH_WINDOW_SECONDS_MAX,
    'seconds',
  );
  if (limits.batchingWindowMissing(ingestBatchSize, windowSeconds)) {
    throw new InvalidConstructPropsError(
      'ingestBatchWindow',
      `must be at least 1 second when ingestBatchSize is above ${limits.SQS_BATCH_SIZE_WITHOUT_WINDOW_MAX} (a Lambda rule for SQS batches)`,
      'use Duration.seconds(10)',
    );
  }
  const required = Duration.seconds(
    limits.VISIBILITY_TIMEOUT_FACTOR * limits.INGEST_FUNCTION_TIMEOUT.toSeconds() + windowSeconds,
  );
  if (props.state.ingestVisibilityTimeout.toSeconds() < required.toSeconds()) {
    throw new InvalidConstructPropsError(
      'ingestBatchWindow',
      `needs an ingest queue visibility timeout of at least ${required.toSeconds()} s, but the state's queue has ${props.state.ingestVisibilityTimeout.toSeconds()} s`,
      'pass the same ingestBatchWindow to BucketflowState',
    );
  }
  const period = (field: string, value: Duration | undefined) => {
    const minutes = value ? value.toSeconds() / 60 : limits.SCHEDULE_PERIOD_MINUTES;
    integerIn(field, minutes, 1, limits.SCHEDULE_PERIOD_MINUTES_MAX, 'whole minutes');
    return Duration.minutes(minutes);
  };
  const taskQueuePrefix = props.taskQueuePrefix ?? limits.TASK_QUEUE_PREFIX;
  const prefixProblem = queuePrefixProblem(taskQueuePrefix);
  if (prefixProblem) {
    throw new InvalidConstructPropsError(
      'taskQueuePrefix',
      prefixProblem,
      `use "${limits.TASK_QUEUE_PREFIX}"`,
    );
  }
  return {
    ingestBatchSize,
    ingestBatchWindow,
    sweepPeriod: period('sweepPeriod', props.sweepPeriod),
    cronPeriod: period('cronPeriod', props.cronPeriod),
    reconcilePeriod: period('reconcilePeriod', props.reconcilePeriod),
    logRetention: props.logRetention ?? limits.DEFAULT_LOG_RETENTION,
    taskQueuePrefix,
    ingestAgeAlarmThreshold:
      props.ingestAgeAlarmThreshold ?? Duration.seconds(limits.INGEST_AGE_ALARM_SECONDS),
  };
}

function integerIn(field: string, value: number, min: number, max: number, unit: string): void {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new InvalidConstructPropsError(
      field,
      `must be an integer ${min}-${max} (${unit}), got ${value}`,
      `use a value from ${min} to ${max}`,
    );
  }
}
