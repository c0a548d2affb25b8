import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { config as repositoryConfig } from '../../bucketflow.config.js';
import type { BucketflowConfig } from '../../lambdas/sdk/config.js';
import { bucketflowStacks } from '../../lib/bucketflow-app.js';
import { PACKAGE_ROOT as PROJECT_ROOT } from '../../lib/bundling.js';
import { parseBucketflowContext } from '../../lib/config.js';
import type { StatefulStack } from '../../lib/stateful-stack.js';
import type { StatelessStack } from '../../lib/stateless-stack.js';

/** The context of cdk.json (feature flags included), so tests synthesize what `cdk synth` does. */
export function cdkJsonContext(): Record<string, unknown> {
  const cdkJson = JSON.parse(readFileSync(join(PROJECT_ROOT, 'cdk.json'), 'utf8')) as {
    context: Record<string, unknown>;
  };
  return cdkJson.context;
}

export interface TestAppOptions {
  /** Extra or overriding context (`bucketflow:*` keys, ...). */
  readonly context?: Record<string, unknown>;
  /** Bundle the functions with esbuild; off by default to keep tests fast. */
  readonly bundle?: boolean;
  readonly outdir?: string;
  /** The config module's config, as `bucketflow:config` would load it. @default none */
  readonly config?: BucketflowConfig;
}

/**
 * An App with cdk.json's context. Bundling is skipped unless asked for, and
 * CDK's built-in CloudFormation validation (about 20 s per synth) is left to
 * `npm run synth`.
 */
export function testApp(options: TestAppOptions = {}): App {
  return new App({
    context: {
      ...cdkJsonContext(),
      ...(options.bundle ? {} : { 'aws:cdk:bundling-stacks': [] }),
      ...options.context,
    },
    builtinCloudFormationValidation: false,
    ...(options.outdir ? { outdir: options.outdir } : {}),
  });
}

export interface SynthesizedApp {
  readonly app: App;
  readonly stateful: StatefulStack;
  readonly stateless: StatelessStack;
  readonly statefulTemplate: Template;
  readonly statelessTemplate: Template;
}

/**
 * The two stacks of bin/app.ts, built the same way from the same context.
 *
 * @example
 * ```ts
 * const { statelessTemplate } = synthBucketflowApp({ context: { 'bucketflow:sourceBuckets': ['a-bucket'] } });
 * ```
 */
export function synthBucketflowApp(options: TestAppOptions = {}): SynthesizedApp {
  const app = testApp(options);
  const settings = parseBucketflowContext(app.node.getAllContext());
  const { stateful, stateless } = bucketflowStacks(app, settings, options.config);
  return {
    app,
    stateful,
    stateless,
    statefulTemplate: Template.fromStack(stateful),
    statelessTemplate: Template.fromStack(stateless),
  };
}

/**
 * The repository's `bucketflow.config.ts` with the default cluster on Lambda:
 * every part the app deploys from a config (an S3 location, storage, batch and
 * cron automations, a local folder left out, a Lambda runner).
 */
export const exampleConfig: BucketflowConfig = {
  ...repositoryConfig,
  clusters: { default: { runner: { kind: 'lambda' }, taskModules: ['examples/tasks.ts'] } },
};

type Resource = { Type: string; Properties?: Record<string, unknown> };

/** Resources of one type, by logical id. */
export function resourcesOf(template: Template, type: string): Record<string, Resource> {
  return template.findResources(type) as Record<string, Resource>;
}

/** Every IAM policy statement of a template (identity policies and inline role policies). */
export function policyStatements(template: Template): Record<string, unknown>[] {
  const statements: Record<string, unknown>[] = [];
  const collect = (document: unknown) => {
    const list = (document as { Statement?: unknown[] } | undefined)?.Statement ?? [];
    for (const statement of list) statements.push(statement as Record<string, unknown>);
  };
  for (const type of ['AWS::IAM::Policy', 'AWS::IAM::ManagedPolicy']) {
    for (const resource of Object.values(resourcesOf(template, type))) {
      collect(resource.Properties?.PolicyDocument);
    }
  }
  for (const role of Object.values(resourcesOf(template, 'AWS::IAM::Role'))) {
    const policies = (role.Properties?.Policies ?? []) as { PolicyDocument: unknown }[];
    for (const policy of policies) collect(policy.PolicyDocument);
  }
  return statements;
}

/** A statement's actions as a list. */
export function actionsOf(statement: Record<string, unknown>): string[] {
  const action = statement.Action;
  return Array.isArray(action) ? (action as string[]) : [action as string];
}

/** A bare stack for construct tests, in an app with cdk.json's context. */
export function testStack(options: TestAppOptions = {}): Stack {
  return new Stack(testApp(options), 'TestStack');
}
