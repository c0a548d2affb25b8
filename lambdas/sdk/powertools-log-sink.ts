import { Logger } from '@aws-lambda-powertools/logger';
import { METRIC_SERVICE } from '../core/metrics/metric-catalog.js';
import type { LogSink } from './task-logger.js';

/** The service name on every line, as the handlers' Powertools loggers write it: the metrics' `service`. */
export const LOG_SERVICE_NAME = METRIC_SERVICE;

/**
 * Writes each record through a Powertools Logger, the runners' default on
 * AWS and elsewhere: one JSON line with `level`, `message`, `timestamp`,
 * `service`, the X-Ray trace id when Lambda has one, and the record's keys,
 * warnings and errors on stderr. The level comes from `POWERTOOLS_LOG_LEVEL`
 * (or Lambda's application log level); INFO by default.
 *
 * @example
 * ```ts
 * const runner = client.runner({ cluster: 'default', tasks, logSink: powertoolsLogSink(new Logger({ serviceName: 'thumbnails' })) });
 * ```
 */
export function powertoolsLogSink(
  logger: Logger = new Logger({ serviceName: LOG_SERVICE_NAME }),
): LogSink {
  return (record) => {
    logger[record.level](record.message, { ...record.fields });
  };
}
