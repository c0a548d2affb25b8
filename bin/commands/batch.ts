import type { Command } from 'commander';
import type { BatchStats } from '../../lambdas/core/batching/batch-events.js';
import { simulateBatches } from '../../lambdas/core/batching/batch-simulation.js';
import type { ClosedBatch } from '../../lambdas/core/batching/batch-state.js';
import {
  DEFAULT_BATCH_COUNT,
  DEFAULT_PREFIX_DEPTH,
  DEFAULT_QUIET_SECONDS,
} from '../../lambdas/core/batching/batch-thresholds.js';
import { splitIgnoreList } from '../../lambdas/core/batching/ignore-patterns.js';
import {
  batchPolicyFromOptions,
  MARKER_MEMBER_OPTION_HELP,
  MARKER_OPTION_HELP,
} from './automation-options.js';
import { parseEventLines } from './batch-input.js';
import { formatTable, formatTime } from './cli-format.js';
import { action, failUsage, parseIntegerOption, printJson, readInputLines } from './cli-io.js';
import {
  type ConnectionOptions,
  connect,
  connectedAction,
  withConnectionOption,
} from './connection-options.js';

interface SimulateOptions {
  prefixDepth: number;
  count: number;
  quiet: number;
  maxAge?: number;
  ignore: string[];
  marker?: string;
  markerMember?: boolean;
  json?: boolean;
}

/** Problems listed before the rest are summarised, so that a wrong file does not flood the terminal. */
const MAX_PROBLEMS_SHOWN = 20;

/** Longest error shown per stuck batch in the table (the JSON has the whole bounded text). */
const ERROR_COLUMN_WIDTH = 100;

/**
 * Registers `bucketflow batch simulate`, which replays object events through
 * the prefix batching rules and prints the batches they would close, and
 * `bucketflow batch stuck`, which lists closed batches whose dispatch keeps
 * failing.
 *
 * @example
 * ```ts
 * registerBatchCommand(new Command('bucketflow'));
 * ```
 */
export function registerBatchCommand(program: Command): void {
  const batch = program
    .command('batch')
    .description(
      'prefix batching: group object events per key prefix (the successor of Quilt EDP)',
    );
  batch
    .command('simulate')
    .description(
      'replay object events (JSON lines: {"time", "bucket", "key", "type": "created"|"deleted", "sequencer"?})\n' +
        'and print the batches they close; batches still open at the end close at their deadlines',
    )
    .argument('[file]', 'JSON lines file, or - for stdin (the default)')
    .option(
      '--prefix-depth <folders>',
      'leading folders of the key that name its batch (0: whole bucket)',
      parseIntegerOption('--prefix-depth', 0),
      DEFAULT_PREFIX_DEPTH,
    )
    .option(
      '--count <events>',
      'close a batch when it holds this many events',
      parseIntegerOption('--count', 1),
      DEFAULT_BATCH_COUNT,
    )
    .option(
      '--quiet <seconds>',
      'close a batch after this many seconds without events',
      parseIntegerOption('--quiet', 1),
      DEFAULT_QUIET_SECONDS,
    )
    .option(
      '--max-age <seconds>',
      'close a batch this many seconds after its first event (default: no maximum age)',
      parseIntegerOption('--max-age', 1),
    )
    .option(
      '--ignore <globs>',
      "comma-separated globs of keys or folders to ignore, e.g. 'raw/*,scratch' (repeatable)",
      (value: string, previous: string[]) => [...previous, ...splitIgnoreList(value)],
      [] as string[],
    )
    .option('--marker <glob>', MARKER_OPTION_HELP)
    .option('--no-marker-member', MARKER_MEMBER_OPTION_HELP)
    .option('--json', 'print the closed batches as a JSON array')
    .action(
      action(async (file: string | undefined, options: SimulateOptions) => {
        const policy = batchPolicyFromOptions(options);
        const parsed = parseEventLines(await readInputLines(file));
        if (!parsed.ok) failUsage(describeProblems(parsed.problems));
        const { closed, stats } = simulateBatches(parsed.events, policy);
        if (options.json) printJson(closed.map(toJson));
        else process.stdout.write(renderTable(closed, stats));
      }),
    );
  withConnectionOption(
    batch
      .command('stuck')
      .description(
        'list closed batches whose event or job could not be dispatched: each is retried with\n' +
          'backoff and holds up no other batch; fix the cause (the error says it) and it goes out',
      )
      .option(
        '--limit <n>',
        'most batches listed, 1 to 1000',
        parseIntegerOption('--limit', 1),
        100,
      )
      .option('--json', 'print them as a JSON array'),
  ).action(
    connectedAction(async (options: ConnectionOptions & { limit: number; json?: boolean }) => {
      const { client } = await connect(options);
      const stuck = await client.batches.stuck(options.limit);
      if (options.json) {
        printJson(stuck);
        return;
      }
      if (stuck.length === 0) {
        process.stdout.write('no stuck batches\n');
        return;
      }
      const rows = stuck.map((record) => [
        record.batchId,
        `${record.bucket}/${record.prefix}`,
        String(record.count),
        formatTime(record.writtenAt),
        String(record.attempts),
        record.retryAt === undefined ? '-' : formatTime(record.retryAt),
        firstLine(record.lastError ?? ''),
      ]);
      process.stdout.write(
        formatTable(
          ['batch', 'prefix', 'count', 'closed', 'attempts', 'next try', 'last error'],
          rows,
        ),
      );
    }),
  );
}

function firstLine(text: string): string {
  const line = text.split('\n')[0] ?? '';
  return line.length > ERROR_COLUMN_WIDTH ? `${line.slice(0, ERROR_COLUMN_WIDTH - 1)}…` : line;
}

function describeProblems(problems: readonly string[]): string {
  if (problems.length === 1) return problems[0] ?? '';
  const shown = problems.slice(0, MAX_PROBLEMS_SHOWN).map((problem) => `  ${problem}`);
  if (problems.length > MAX_PROBLEMS_SHOWN) {
    shown.push(`  ... and ${problems.length - MAX_PROBLEMS_SHOWN} more`);
  }
  return [`${problems.length} malformed input lines (nothing was simulated):`, ...shown].join('\n');
}

function iso(epochMs: number): string {
  return new Date(epochMs).toISOString();
}

function toJson(batch: ClosedBatch) {
  return {
    bucket: batch.bucket,
    prefix: batch.prefix,
    count: batch.count,
    reason: batch.reason,
    firstEventAt: iso(batch.firstEventAt),
    lastEventAt: iso(batch.lastEventAt),
    closedAt: iso(batch.closedAt),
    keys: batch.keys,
  };
}

function renderTable(closed: readonly ClosedBatch[], stats: BatchStats): string {
  const header = [
    'closed at (UTC)',
    'bucket',
    'prefix',
    'count',
    'reason',
    'first event',
    'last event',
  ];
  const rows = closed.map((batch) => [
    iso(batch.closedAt),
    batch.bucket,
    batch.prefix === '' ? '(root)' : batch.prefix,
    String(batch.count),
    batch.reason,
    iso(batch.firstEventAt),
    iso(batch.lastEventAt),
  ]);
  const widths = header.map((title, i) =>
    Math.max(title.length, ...rows.map((row) => (row[i] ?? '').length)),
  );
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, i) => (i === 3 ? cell.padStart(widths[i] ?? 0) : cell.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  const out = rows.length > 0 ? [line(header), ...rows.map(line)] : ['no batches closed'];
  const batches = `${closed.length} batch${closed.length === 1 ? '' : 'es'}`;
  out.push(
    `events read ${stats.read}, counted ${stats.counted}, duplicates ${stats.duplicates}, ` +
      `deleted ${stats.deleted}, ignored ${stats.ignored}` +
      (stats.markers > 0 ? `, markers (not members) ${stats.markers}` : '') +
      `; ${batches}`,
  );
  return `${out.join('\n')}\n`;
}
