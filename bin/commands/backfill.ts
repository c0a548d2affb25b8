import type { Command } from 'commander';
import { ValidationError } from '../../lambdas/core/errors.js';
import { escapeForDisplay } from '../../lambdas/core/jobs/text-rules.js';
import type { BackfillSummary } from '../../lambdas/core/services/backfill-service.js';
import { formatFields } from './cli-format.js';
import { printJson } from './cli-io.js';
import {
  type ConnectionOptions,
  connect,
  connectedAction,
  withConnectionOption,
} from './connection-options.js';
import { ProgressLine } from './progress-line.js';

interface BackfillOptions extends ConnectionOptions {
  location: string;
  prefix?: string;
  since?: string;
  dryRun?: boolean;
  json?: boolean;
}

/**
 * Registers `bucketflow backfill --location NAME [--prefix P] [--since ISO]
 * [--dry-run] [--json]`: feeds a location's objects that were never
 * delivered through the ingest path, once, as if their events had just
 * arrived (see `runBackfill`). Locally and on a deployed stack.
 *
 * @example
 * ```ts
 * registerBackfillCommand(new Command('bucketflow'));
 * ```
 */
export function registerBackfillCommand(program: Command): void {
  withConnectionOption(
    program
      .command('backfill')
      .description(
        "ingest a location's objects that never had an event: those there before an automation,\n" +
          'or whose events were lost; each object version is ingested once, live or backfilled',
      )
      .requiredOption('--location <name>', 'storage location (an S3 bucket or a local folder)')
      .option('--prefix <prefix>', 'only keys starting with this')
      .option(
        '--since <iso>',
        'only objects modified at or after this time, e.g. 2025-01-31T00:00:00Z',
      )
      .option('--dry-run', 'count what would be ingested, send nothing')
      .option('--json', 'print the summary as JSON'),
  ).action(
    connectedAction(async (options: BackfillOptions) => {
      const since = parseSince(options.since);
      const { connection } = await connect(options);
      const { connectionClients } = await import('../../lambdas/sdk/client.js');
      const { backfillLocation } = await import('./backfill-run.js');
      const progress = new ProgressLine(process.stderr);
      const summary = await backfillLocation({
        clients: connectionClients(connection),
        connection,
        location: options.location,
        prefix: options.prefix,
        since,
        dryRun: options.dryRun,
        now: Date.now(),
        onProgress: (current) => progress.update(progressText(current)),
      });
      progress.done();
      if (options.json) return printJson(summary);
      process.stdout.write(formatSummary(summary));
    }),
  );
}

function parseSince(raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const at = Date.parse(raw);
  if (!Number.isFinite(at) || !/^\d{4}-\d{2}-\d{2}/.test(raw)) {
    throw new ValidationError(
      '--since',
      `'${raw}' is not an ISO-8601 time`,
      'e.g. --since 2025-01-31 or --since 2025-01-31T12:00:00Z',
    );
  }
  return at;
}

function progressText(summary: BackfillSummary): string {
  const verb = summary.dryRun ? 'to ingest' : 'ingested';
  return `backfill ${summary.location}: ${summary.listed.toLocaleString('en')} listed, ${summary.alreadySeen.toLocaleString('en')} already seen, ${summary.ingested.toLocaleString('en')} ${verb}`;
}

/**
 * The human summary of a backfill.
 *
 * @example
 * ```ts
 * formatSummary(summary); // 'location:      demo\nlisted:        120\n...'
 * ```
 */
export function formatSummary(summary: BackfillSummary): string {
  const matched = Object.entries(summary.matched).sort(([a], [b]) => a.localeCompare(b));
  const fields: [string, string][] = [
    ['location', `${summary.location} (${escapeForDisplay(summary.bucket)})`],
    ['listed', String(summary.listed)],
    ...(summary.skippedOlder > 0
      ? [['older than --since', String(summary.skippedOlder)] as [string, string]]
      : []),
    ...(summary.skippedChanging > 0
      ? [
          ['still changing', `${summary.skippedChanging} (left to the folder watcher)`] as [
            string,
            string,
          ],
        ]
      : []),
    ['already seen', String(summary.alreadySeen)],
    ...(summary.unmatched > 0
      ? [
          ['unmatched', `${summary.unmatched} (no automation matches them: not sent)`] as [
            string,
            string,
          ],
        ]
      : []),
    [summary.dryRun ? 'would ingest' : 'ingested', String(summary.ingested)],
    [
      'matched automations',
      matched.length === 0
        ? 'none'
        : matched.map(([name, count]) => `${escapeForDisplay(name)} (${count})`).join(', '),
    ],
  ];
  return formatFields(fields);
}
