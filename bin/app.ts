#!/usr/bin/env -S npx tsx
import { resolve } from 'node:path';
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { ValidationError } from '../lambdas/core/errors.js';
import { bucketflowStacks } from '../lib/bucketflow-app.js';
import { parseBucketflowContext } from '../lib/config.js';
import { loadConfigFile } from './dev/config-loading.js';

// The bucketflow CDK app: `npx cdk synth` / `npx cdk deploy --all`.
// Settings come from the `bucketflow:*` context keys (cdk.json or -c key=value);
// the automations, locations and clusters from the config module
// (`bucketflow:config`, bucketflow.config.ts by default), the one `npm start` runs.
// See docs/deploy.md. Stacks are environment-agnostic: no look-ups at synth.

const app = new App();
// Every synth is also a cdk-nag AwsSolutions check: an unacknowledged finding fails it.
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
try {
  const settings = parseBucketflowContext(app.node.getAllContext());
  const loaded = settings.config
    ? await loadConfigFile(resolve(settings.config), { explicit: false })
    : undefined;
  bucketflowStacks(app, settings, loaded?.path ? loaded.config : undefined);
} catch (error) {
  if (error instanceof ValidationError) {
    process.stderr.write(`bucketflow: ${error.message}\n`);
    process.exit(1);
  }
  throw error;
}
