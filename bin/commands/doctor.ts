import { GetBucketNotificationConfigurationCommand, type S3Client } from '@aws-sdk/client-s3';
import { ListQueuesCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { Command } from 'commander';
import {
  type AwsClients,
  createAwsClients,
  destroyAwsClients,
} from '../../lambdas/adapters/aws/aws-clients.js';
import { findQueueUrl, queueDepth } from '../../lambdas/adapters/aws/queues/queue-setup.js';
import {
  deadLetterQueueName,
  TASK_QUEUE_PREFIX,
} from '../../lambdas/adapters/aws/queues/task-queue-names.js';
import type { Connection } from '../../lambdas/sdk/connection.js';
import { packageVersion } from '../package-version.js';
import { printJson } from './cli-io.js';
import {
  type ConnectionOptions,
  connectedAction,
  connectionOf,
  STACK_ENV,
  withConnectionOption,
} from './connection-options.js';

/** A check's verdict: `problem` makes `doctor` exit 1. */
export type Verdict = 'ok' | 'problem' | 'unknown' | 'idle';

export interface Finding {
  readonly subject: 'source bucket' | 'cluster';
  readonly name: string;
  readonly verdict: Verdict;
  readonly detail: string;
}

/** What is known about the deployment besides its connection (a stack's outputs). */
export interface DeploymentFacts {
  readonly sourceBuckets: readonly string[];
  readonly lambdaClusters: readonly string[];
}

/**
 * Checks a deployment: for each source bucket whether S3 sends its events to
 * EventBridge (without that no rule ever fires), and for each cluster
 * whether something consumes its task queue: a TaskRunnerFunction, or runners
 * holding messages in flight; messages waiting with nothing in flight are a
 * problem. A process runner that is idle cannot be told from no runner.
 *
 * @example
 * ```ts
 * const findings = await diagnose(clients, connection, { sourceBuckets: ['raw'], lambdaClusters: [] }, slugs);
 * ```
 */
export async function diagnose(
  clients: AwsClients,
  connection: Connection,
  facts: DeploymentFacts,
  clusters: readonly string[],
): Promise<Finding[]> {
  const findings: Finding[] = [];
  for (const bucket of facts.sourceBuckets) {
    findings.push(
      connection.kind === 'local'
        ? {
            subject: 'source bucket',
            name: bucket,
            verdict: 'ok',
            detail: "local mode: bucketflow dev forwards the S3 server's events itself",
          }
        : await bucketFinding(clients.s3, bucket),
    );
  }
  for (const cluster of clusters) {
    findings.push(await clusterFinding(clients, connection, facts, cluster));
  }
  return findings;
}

async function bucketFinding(s3: S3Client, bucket: string): Promise<Finding> {
  const about = { subject: 'source bucket', name: bucket } as const;
  try {
    const configuration = await s3.send(
      new GetBucketNotificationConfigurationCommand({ Bucket: bucket }),
    );
    return configuration.EventBridgeConfiguration
      ? { ...about, verdict: 'ok', detail: 'EventBridge notifications are on' }
      : {
          ...about,
          verdict: 'problem',
          detail:
            'EventBridge notifications are off, so no object event reaches bucketflow: turn them on without replacing the other notifications (docs/deploy.md, "Source buckets")',
        };
  } catch (error) {
    return {
      ...about,
      verdict: 'unknown',
      detail: `cannot read its notification configuration (${(error as Error).name}: ${(error as Error).message})`,
    };
  }
}

async function clusterFinding(
  clients: AwsClients,
  connection: Connection,
  facts: DeploymentFacts,
  cluster: string,
): Promise<Finding> {
  const about = { subject: 'cluster', name: cluster } as const;
  const prefix = connection.taskQueuePrefix ?? TASK_QUEUE_PREFIX;
  // Dispatch v2: one queue per task name and major version, `<prefix><cluster>_<task>_v<major>_<hash>`.
  const queues = `${prefix}${cluster}_*`;
  if (facts.lambdaClusters.includes(cluster)) {
    return { ...about, verdict: 'ok', detail: `a TaskRunnerFunction consumes ${queues}` };
  }
  const deadLetterName = deadLetterQueueName(cluster, prefix);
  const [urls, deadLetterUrl] = await Promise.all([
    routeQueueUrls(clients.sqs, `${prefix}${cluster}_`),
    findQueueUrl(clients.sqs, deadLetterName),
  ]);
  if (urls.length === 0) {
    return {
      ...about,
      verdict: 'idle',
      detail: `no queue yet (${queues} are created with the cluster's first task of each kind)`,
    };
  }
  const depths = await Promise.all(urls.map((url) => queueDepth(clients.sqs, url, undefined)));
  const { deadLettered } = await queueDepth(clients.sqs, undefined, deadLetterUrl);
  const visible = depths.reduce((sum, depth) => sum + depth.visible, 0);
  const inFlight = depths.reduce((sum, depth) => sum + depth.inFlight, 0);
  const dead = deadLettered > 0 ? `; ${deadLettered} in ${deadLetterName}` : '';
  if (inFlight > 0) {
    return {
      ...about,
      verdict: 'ok',
      detail: `${inFlight} message(s) in flight: a runner receives from ${queues}${dead}`,
    };
  }
  if (visible > 0) {
    return {
      ...about,
      verdict: 'problem',
      detail: `${visible} message(s) waiting in ${queues} and none in flight: nothing consumes them; start \`bucketflow runner --cluster ${cluster} --tasks <module>\`, or give the cluster a Lambda runner in the config${dead}`,
    };
  }
  return {
    ...about,
    verdict: 'idle',
    detail: `${queues} are empty; an idle process runner cannot be seen from the queue${dead}`,
  };
}

/** URLs of the route queues whose names start with `namePrefix` (ListQueues pages of 1,000). */
async function routeQueueUrls(sqs: SQSClient, namePrefix: string): Promise<string[]> {
  const urls: string[] = [];
  let token: string | undefined;
  do {
    const page = await sqs.send(
      new ListQueuesCommand({ QueueNamePrefix: namePrefix, MaxResults: 1000, NextToken: token }),
    );
    urls.push(...(page.QueueUrls ?? []));
    token = page.NextToken;
  } while (token);
  return urls;
}

/**
 * Registers `bucketflow doctor`: checks a deployment's source buckets and
 * cluster queues (see {@link diagnose}) and exits 1 when it found a problem.
 *
 * @example
 * ```ts
 * registerDoctorCommand(new Command('bucketflow'));
 * ```
 */
export function registerDoctorCommand(program: Command): void {
  withConnectionOption(
    program
      .command('doctor')
      .description(
        'check a deployment: EventBridge notifications of each source bucket, and whether something consumes each cluster queue',
      ),
  )
    .option('--json', 'print the findings as JSON')
    .action(
      connectedAction(async (options: ConnectionOptions & { json?: boolean }) => {
        process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
        const stack = options.stack ?? process.env[STACK_ENV];
        const { connection, facts, where } = await deployment(options, stack);
        const clients = createAwsClients(connection.endpoints, {
          local: connection.kind === 'local',
        });
        try {
          const { Client } = await import('../../lambdas/sdk/client.js');
          const client = Client.fromClients(clients, connection);
          const clusters = (await client.clusters.list()).map((cluster) => cluster.slug);
          const buckets = facts ?? {
            sourceBuckets: (await client.storageLocations.list()).flatMap((location) =>
              location.kind === 's3' ? [location.bucket] : [],
            ),
            lambdaClusters: [],
          };
          const findings = await diagnose(clients, connection, buckets, clusters);
          if (options.json) printJson({ version: packageVersion(), where, findings });
          else process.stdout.write(formatFindings(where, findings));
          if (findings.some((finding) => finding.verdict === 'problem')) process.exitCode = 1;
        } finally {
          destroyAwsClients(clients);
        }
      }),
    );
}

async function deployment(options: ConnectionOptions, stack: string | undefined) {
  if (!stack) {
    const connection = await connectionOf(options);
    const where = connection.kind === 'local' ? 'bucketflow dev' : 'the stack in the environment';
    return { connection, facts: undefined, where };
  }
  const { resolveStackConnection } = await import('../../lambdas/sdk/stack-connection.js');
  const resolved = await resolveStackConnection({
    stack,
    region: options.region,
    profile: options.profile,
  });
  return {
    connection: resolved.connection,
    facts: resolved.outputs,
    where: `stack ${stack} in ${resolved.region}`,
  };
}

function formatFindings(where: string, findings: readonly Finding[]): string {
  const lines = [`bucketflow ${packageVersion()}: ${where}`];
  for (const subject of ['source bucket', 'cluster'] as const) {
    const mine = findings.filter((finding) => finding.subject === subject);
    lines.push(`${subject}s${mine.length === 0 ? ': none' : ''}`);
    for (const finding of mine) {
      lines.push(`  ${finding.verdict.padEnd(8)} ${finding.name}: ${finding.detail}`);
    }
  }
  return `${lines.join('\n')}\n`;
}
