import { createAwsClients } from '../adapters/aws/aws-clients.js';
import { startTracing } from '../adapters/otel/tracing-setup.js';
import { METRIC_SERVICE } from '../core/metrics/metric-catalog.js';
import { loadHandlerConfig } from './config.js';
import { createHandlerRuntime, type HandlerRuntime } from './runtime.js';

let runtime: HandlerRuntime | undefined;

/**
 * The runtime of a deployed function: built on first use from the validated
 * environment and kept for the life of the execution environment.
 */
export function environmentRuntime(): HandlerRuntime {
  if (!runtime) {
    // Lambda's environment is the configuration boundary; nothing below reads it.
    const config = loadHandlerConfig(process.env);
    // Spans are exported over OTLP when the stack sets an endpoint (docs/tracing.md), else not recorded.
    const tracing = startTracing({ serviceName: METRIC_SERVICE, env: process.env, batch: true });
    runtime = createHandlerRuntime(config, createAwsClients({ region: config.region }), {
      ...(tracing.exporting ? { tracing } : {}),
    });
  }
  return runtime;
}
