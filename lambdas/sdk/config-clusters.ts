import { DEFAULT_CLUSTER_SLUG, isClusterSlug } from '../core/automations/cluster-slug.js';
import { describeType } from '../core/jobs/text-rules.js';
import { InvalidConfigError } from './errors.js';

/** Limits of a Lambda runner, as Lambda and SQS event sources accept them. */
export const LAMBDA_RUNNER_LIMITS = {
  memorySize: { min: 128, max: 10_240 },
  timeoutSeconds: { min: 1, max: 900 },
  maxConcurrency: { min: 2, max: 1000 },
  batchSize: { min: 1, max: 10 },
} as const;

/** A cluster whose tasks run, once deployed, in one Lambda function on the cluster's queue. */
export interface LambdaRunnerConfig {
  readonly kind: 'lambda';
  /** MB, 128-10240. @default 1024 */
  readonly memorySize?: number | undefined;
  /** The function timeout, 1-900 s. @default 300 */
  readonly timeoutSeconds?: number | undefined;
  /** Most concurrent invocations the queue drives, 2-1000. @default no limit */
  readonly maxConcurrency?: number | undefined;
  /** Tasks per invocation, 1-10. @default 1 */
  readonly batchSize?: number | undefined;
}

/**
 * Where a deployed cluster's tasks run: `process` runners you operate
 * (`bucketflow runner`, ECS, a laptop), or a Lambda function the stack
 * creates. `bucketflow dev` runs every cluster's tasks in process either way.
 */
export type ClusterRunnerConfig = { readonly kind: 'process' } | LambdaRunnerConfig;

/** One cluster of a config; its key is the cluster's slug (and its task queue's name). */
export interface ClusterConfig {
  /**
   * Modules whose exported task classes run on this cluster, as paths
   * relative to the working directory of `npm start` and `cdk synth` (the
   * project root). A Lambda cluster's function bundles exactly these; `bucketflow
   * dev` loads them for its in-process runners.
   */
  readonly taskModules?: readonly string[] | undefined;
  /** @default { kind: 'process' } */
  readonly runner?: ClusterRunnerConfig | undefined;
}

/**
 * Checks `clusters` and returns the slugs it declares (`default` included
 * when listed). A Lambda cluster needs task modules: its function would have
 * nothing to run.
 *
 * @example
 * ```ts
 * validateClusters({ gpu: { runner: { kind: 'lambda' }, taskModules: ['./gpu-tasks.ts'] } }); // Set { 'gpu' }
 * ```
 */
export function validateClusters(
  clusters: Readonly<Record<string, ClusterConfig>> | undefined,
): Set<string> {
  if (clusters === undefined) return new Set();
  if (typeof clusters !== 'object' || clusters === null || Array.isArray(clusters)) {
    throw new InvalidConfigError(
      'clusters',
      `must be an object of clusters by slug, got ${describeType(clusters)}`,
      "e.g. clusters: { gpu: { taskModules: ['./gpu-tasks.ts'] } }",
    );
  }
  const slugs = new Set<string>();
  for (const [slug, cluster] of Object.entries(clusters)) {
    const field = `clusters.${slug}`;
    if (!isClusterSlug(slug)) {
      throw new InvalidConfigError(
        field,
        `${JSON.stringify(slug)} is not a cluster slug (letters, digits, '_' and '-', starting with a letter or digit; it names the cluster's task queue)`,
        "e.g. 'gpu'",
      );
    }
    if (typeof cluster !== 'object' || cluster === null || Array.isArray(cluster)) {
      throw new InvalidConfigError(
        field,
        `must be an object, got ${describeType(cluster)}`,
        "e.g. { taskModules: ['./tasks.ts'] }",
      );
    }
    const modules = taskModulesOf(cluster, field);
    const runner = cluster.runner ?? { kind: 'process' };
    validateRunner(runner, `${field}.runner`);
    if (runner.kind === 'lambda' && modules.length === 0) {
      throw new InvalidConfigError(
        `${field}.taskModules`,
        'is empty, and a cluster whose runner is lambda runs only the task classes its function bundles',
        "add the modules that export its task classes, e.g. taskModules: ['./tasks.ts']",
      );
    }
    slugs.add(slug);
  }
  return slugs;
}

/** The cluster's task modules, checked to be a list of paths. */
export function taskModulesOf(cluster: ClusterConfig, field: string): readonly string[] {
  const modules = cluster.taskModules ?? [];
  if (!Array.isArray(modules) || !modules.every((m) => typeof m === 'string' && m.length > 0)) {
    throw new InvalidConfigError(
      `${field}.taskModules`,
      `must be a list of module paths, got ${JSON.stringify(modules)}`,
      "e.g. ['./tasks.ts']",
    );
  }
  return modules;
}

/** The clusters whose runner is Lambda, by slug. */
export function lambdaClusters(
  clusters: Readonly<Record<string, ClusterConfig>> | undefined,
): Array<[slug: string, cluster: ClusterConfig, runner: LambdaRunnerConfig]> {
  return Object.entries(clusters ?? {}).flatMap(([slug, cluster]) =>
    cluster.runner?.kind === 'lambda'
      ? [[slug, cluster, cluster.runner] as [string, ClusterConfig, LambdaRunnerConfig]]
      : [],
  );
}

/** Whether `cluster` names a cluster of the config (or the default one). */
export function declaresCluster(slugs: ReadonlySet<string>, cluster: string): boolean {
  return cluster === DEFAULT_CLUSTER_SLUG || slugs.has(cluster);
}

function validateRunner(runner: ClusterRunnerConfig, field: string): void {
  const kind = (runner as { kind?: unknown } | undefined)?.kind;
  if (kind === 'process') return;
  if (kind !== 'lambda') {
    throw new InvalidConfigError(
      `${field}.kind`,
      `${JSON.stringify(kind)} is not a runner kind`,
      "use 'process' (runners you start) or 'lambda' (a function the stack creates)",
    );
  }
  const lambda = runner as LambdaRunnerConfig;
  for (const [name, { min, max }] of Object.entries(LAMBDA_RUNNER_LIMITS)) {
    const value = lambda[name as keyof typeof LAMBDA_RUNNER_LIMITS];
    if (value === undefined) continue;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
      throw new InvalidConfigError(
        `${field}.${name}`,
        `must be an integer ${min}-${max}, got ${JSON.stringify(value)}`,
      );
    }
  }
}
