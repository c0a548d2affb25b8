#!/usr/bin/env -S npx tsx
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { ValidationError } from '../lambdas/core/errors.js';
import { parseBucketflowContext } from '../lib/config.js';
import { StatefulStack } from '../lib/stateful-stack.js';
import { StatelessStack } from '../lib/stateless-stack.js';

// The bucketflow CDK app: `npx cdk synth` / `npx cdk deploy --all`.
// Settings come from the `bucketflow:*` context keys (cdk.json or -c key=value);
// see docs/deploy.md. Stacks are environment-agnostic: no look-ups at synth.

const app = new App();
// Every synth is also a cdk-nag AwsSolutions check: an unacknowledged finding fails it.
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
try {
  const config = parseBucketflowContext(app.node.getAllContext());
  const stateful = new StatefulStack(app, 'BucketflowStateful', {
    config,
    description: 'bucketflow: tables, ingest queue, event bus and archive, job cache bucket',
  });
  new StatelessStack(app, 'BucketflowStateless', {
    config,
    state: stateful.state,
    ...(stateful.demoBucket ? { extraSourceBuckets: [stateful.demoBucket] } : {}),
    description: 'bucketflow: functions, schedules, source bucket rules, dashboard and alarms',
  });
} catch (error) {
  if (error instanceof ValidationError) {
    process.stderr.write(`bucketflow: ${error.message}\n`);
    process.exit(1);
  }
  throw error;
}
