import type { Command } from 'commander';
import { ValidationError } from '../../lambdas/core/errors.js';
import type { Cluster } from '../../lambdas/core/ports/automation-store.js';
import { formatFields, formatTable, formatTime } from './cli-format.js';
import { printJson } from './cli-io.js';
import {
  type ConnectionOptions,
  connect,
  connectedAction,
  withConnectionOption,
} from './connection-options.js';

interface JsonOption extends ConnectionOptions {
  json?: boolean;
}

/**
 * Registers `bucketflow clusters list|create|find|delete`: the groups of task
 * runners jobs are sent to.
 *
 * @example
 * ```ts
 * registerClustersCommand(new Command('bucketflow'));
 * ```
 */
export function registerClustersCommand(program: Command): void {
  const clusters = program
    .command('clusters')
    .description('clusters: groups of task runners; each job task runs on one cluster');

  withConnectionOption(clusters.command('list').description('list the clusters'))
    .option('--json', 'print a JSON array')
    .action(
      connectedAction(async (options: JsonOption) => {
        const list = await (await connect(options)).client.clusters.list();
        if (options.json) return printJson(list);
        if (list.length === 0) {
          process.stdout.write(
            'no clusters (jobs without --cluster use the default cluster, created on first use)\n',
          );
          return;
        }
        process.stdout.write(
          formatTable(
            ['slug', 'name', 'created'],
            list.map((cluster) => [cluster.slug, cluster.name, formatTime(cluster.createdAt)]),
          ),
        );
      }),
    );

  withConnectionOption(
    clusters
      .command('create')
      .description('create a cluster; its slug is the name plus a random suffix')
      .argument('<name>', "cluster name, e.g. 'gpu'"),
  )
    .option('--json', 'print the cluster as JSON')
    .action(
      connectedAction(async (name: string, options: JsonOption) => {
        const cluster = await (await connect(options)).client.clusters.create(name);
        if (options.json) return printJson(cluster);
        process.stdout.write(`created cluster ${cluster.slug} (name ${cluster.name})\n`);
      }),
    );

  withConnectionOption(
    clusters.command('find').description('show one cluster').argument('<slug>', 'cluster slug'),
  )
    .option('--json', 'print the cluster as JSON')
    .action(
      connectedAction(async (slug: string, options: JsonOption) => {
        const cluster = await (await connect(options)).client.clusters.find(slug);
        if (cluster === undefined) throw unknownCluster(slug);
        if (options.json) return printJson(cluster);
        process.stdout.write(formatCluster(cluster));
      }),
    );

  withConnectionOption(
    clusters
      .command('delete')
      .description('delete a cluster that no automation uses')
      .argument('<slug>', 'cluster slug'),
  ).action(
    connectedAction(async (slug: string, options: ConnectionOptions) => {
      const deleted = await (await connect(options)).client.clusters.delete(slug);
      if (!deleted) throw unknownCluster(slug);
      process.stdout.write(`deleted cluster ${slug}\n`);
    }),
  );
}

function formatCluster(cluster: Cluster): string {
  return formatFields([
    ['slug', cluster.slug],
    ['name', cluster.name],
    ['created', formatTime(cluster.createdAt)],
  ]);
}

function unknownCluster(slug: string): ValidationError {
  return new ValidationError(
    `cluster '${slug}'`,
    'no such cluster',
    'list them with: bucketflow clusters list',
  );
}
