import type { App } from 'aws-cdk-lib';
import type { BucketflowConfig } from '../lambdas/sdk/config.js';
import type { AppSettings } from './config.js';
import { StatefulStack } from './stateful-stack.js';
import { StatelessStack } from './stateless-stack.js';

/** The S3 location of a config that the stock app's demo bucket stands for, when there is one. */
export const DEMO_LOCATION = 'demo';

/**
 * The stock app's two stacks (what `bin/app.ts` synthesizes): the stateful
 * stack, and the stateless one with the engine and the config. The demo
 * bucket, when created, is the config's S3 location `demo` (a bucket whose
 * name the stack generates), or a plain source bucket without one.
 *
 * @example
 * ```ts
 * const { stateful, stateless } = bucketflowStacks(app, parseBucketflowContext(app.node.getAllContext()), config);
 * ```
 */
export function bucketflowStacks(
  app: App,
  settings: AppSettings,
  config?: BucketflowConfig,
): { stateful: StatefulStack; stateless: StatelessStack } {
  const stateful = new StatefulStack(app, 'BucketflowStateful', {
    settings,
    description: 'bucketflow: tables, ingest queue, event bus and archive, job cache bucket',
  });
  const demo = stateful.demoBucket;
  const demoIsLocation = config?.locations?.[DEMO_LOCATION]?.kind === 's3';
  const stateless = new StatelessStack(app, 'BucketflowStateless', {
    settings,
    state: stateful.state,
    ...(config ? { config } : {}),
    ...(demo && demoIsLocation ? { locationBuckets: { [DEMO_LOCATION]: demo } } : {}),
    ...(demo && !demoIsLocation ? { extraSourceBuckets: [demo] } : {}),
    description:
      'bucketflow: functions, schedules, source bucket rules, the config’s runners and automations, dashboard and alarms',
  });
  return { stateful, stateless };
}
