import { Annotations, Duration } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import type { BucketflowConfig } from '../lambdas/sdk/config.js';
import { lambdaClusters } from '../lambdas/sdk/config-clusters.js';
import { configPlan } from '../lambdas/sdk/config-plan.js';
import type { BucketflowEngine } from './bucketflow-engine.js';
import { ConfigAutomations } from './config-automations.js';
import { InvalidConstructPropsError } from './errors.js';

export interface ConfigWiringProps {
  readonly config: BucketflowConfig;
  /** Buckets of S3 locations by location name; the others are imported by bucket name. */
  readonly locationBuckets?: Readonly<Record<string, s3.IBucket>> | undefined;
}

/**
 * Deploys what a `bucketflow.config.ts` declares, into an engine: every S3
 * location becomes a source bucket (rule, grants, dashboard row), every
 * Lambda cluster a TaskRunnerFunction bundling its task modules, and the
 * automations, clusters and locations are applied at deploy time by
 * {@link ConfigAutomations}. Local folders exist only in local mode: they,
 * and the triggers on them, are left out with a synth note.
 *
 * @throws InvalidConstructPropsError when `locationBuckets` names a location that is not an S3 location of the config.
 * @example
 * ```ts
 * wireConfig(engine, { config, locationBuckets: { raw: rawBucket } });
 * ```
 */
export function wireConfig(engine: BucketflowEngine, props: ConfigWiringProps): ConfigAutomations {
  const { config } = props;
  const s3Locations = Object.entries(config.locations ?? {}).flatMap(([name, location]) =>
    location.kind === 's3' ? [[name, location.bucket] as const] : [],
  );
  for (const name of Object.keys(props.locationBuckets ?? {})) {
    if (!s3Locations.some(([location]) => location === name)) {
      throw new InvalidConstructPropsError(
        `locationBuckets.${name}`,
        'is not an S3 location of the config',
        `declare it in the config: locations: { ${name}: { kind: 's3', bucket: '...' } }`,
      );
    }
  }
  const buckets: Record<string, string> = {};
  for (const [name, bucketName] of s3Locations) {
    const bucket =
      props.locationBuckets?.[name] ??
      s3.Bucket.fromBucketName(engine, `LocationBucket-${name}`, bucketName);
    engine.addSourceBucket(bucket, { id: `Location-${name}` });
    buckets[name] = bucket.bucketName;
  }
  for (const [slug, cluster, runner] of lambdaClusters(config.clusters)) {
    engine.addTaskRunner(slug, {
      taskModules: cluster.taskModules ?? [],
      ...(runner.memorySize === undefined ? {} : { memorySize: runner.memorySize }),
      ...(runner.timeoutSeconds === undefined
        ? {}
        : { timeout: Duration.seconds(runner.timeoutSeconds) }),
      ...(runner.maxConcurrency === undefined ? {} : { maxConcurrency: runner.maxConcurrency }),
      ...(runner.batchSize === undefined ? {} : { batchSize: runner.batchSize }),
    });
  }
  const { plan, skipped } = configPlan(config, { buckets });
  for (const line of skipped) {
    Annotations.of(engine).addInfo(`bucketflow: not deployed (local mode only): ${line}`);
  }
  return new ConfigAutomations(engine, 'Config', {
    state: engine.state,
    plan,
    environment: engine.environment,
    logRetention: engine.logRetention,
  });
}
