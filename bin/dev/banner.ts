import { relative } from 'node:path';
import type { StorageLocation } from '../../lambdas/core/automations/storage-location.js';
import type { Connection } from '../../lambdas/sdk/connection.js';

/** How the CLI is run here: this repository's script, or the installed package's bin. */
const CLI = import.meta.url.endsWith('.ts') ? 'npm run -s bucketflow --' : 'npx bucketflow';

export interface BannerInfo {
  readonly connection: Connection;
  readonly dataDir: string;
  readonly cwd: string;
  readonly startupMs: number;
  /** Config file path, or undefined when none was found. */
  readonly configPath: string | undefined;
  readonly automations: number;
  readonly locations: readonly StorageLocation[];
  /** Clusters with an in-process runner; empty with `--no-runner`. */
  readonly runnerClusters: readonly string[];
  readonly taskNames: readonly string[];
  readonly resentTasks: number;
}

/**
 * The text `bucketflow dev` prints once it is ready: endpoints, console,
 * folders to drop files into, an `aws s3 cp` example and the start-up time.
 *
 * @example
 * ```ts
 * process.stdout.write(formatBanner(info));
 * ```
 */
export function formatBanner(info: BannerInfo): string {
  const { connection } = info;
  const shown = (path: string) => {
    const near = relative(info.cwd, path);
    return near === '' ? '.' : near.startsWith('..') ? path : near;
  };
  const s3 = connection.endpoints.s3 ?? '';
  const bucket = info.locations.find((location) => location.kind === 's3');
  const folders = info.locations.filter((location) => location.kind === 'local-folder');
  const lines = [
    '',
    `bucketflow dev: local stack ready in ${(info.startupMs / 1000).toFixed(1)} s (state in ${shown(info.dataDir)})`,
    `  DynamoDB  ${connection.endpoints.dynamodb ?? ''}`,
    `  SQS       ${connection.endpoints.sqs ?? ''}`,
    `  S3        ${s3}`,
    `  console   ${connection.console ?? ''}`,
    `  config    ${info.configPath ? shown(info.configPath) : '(none: no bucketflow.config.ts)'}: ${info.automations} automation(s), ${info.locations.length} location(s)`,
    info.runnerClusters.length > 0
      ? `  runner    on ${info.runnerClusters.join(', ')} for ${info.taskNames.join(', ') || '(no tasks)'}`
      : '  runner    none (--no-runner): start `bucketflow runner --tasks <module>` processes',
    ...(info.resentTasks > 0
      ? [`  restored  ${info.resentTasks} queued task(s) sent again to their queues`]
      : []),
  ];
  if (folders.length > 0) {
    lines.push('Drop files into:');
    for (const folder of folders) {
      if (folder.kind === 'local-folder')
        lines.push(`  ${folder.name.padEnd(9)} ${shown(folder.path)}/`);
    }
  }
  if (bucket?.kind === 's3') {
    lines.push(
      'Upload with the AWS CLI (the local S3 server accepts only the key S3RVER, secret S3RVER):',
      `  AWS_ACCESS_KEY_ID=S3RVER AWS_SECRET_ACCESS_KEY=S3RVER aws s3 cp ./file.txt s3://${bucket.bucket}/hello.txt --endpoint-url ${s3}`,
    );
  }
  lines.push(
    `In another terminal: ${CLI} jobs list   (reads ${shown(info.dataDir)}/local.json)`,
    'Ctrl-C stops, keeping all state; a second Ctrl-C exits at once.',
    '',
  );
  return `${lines.join('\n')}\n`;
}
