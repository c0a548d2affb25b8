import { createAwsClients } from '../adapters/aws/aws-clients.js';
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
    runtime = createHandlerRuntime(config, createAwsClients({ region: config.region }));
  }
  return runtime;
}
