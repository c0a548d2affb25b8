import { join } from 'node:path';
import type { Command } from 'commander';
import {
  LOCAL_TRACE_FILE,
  type SpanLine,
} from '../../lambdas/adapters/otel/jsonl-span-exporter.js';
import { ValidationError } from '../../lambdas/core/errors.js';
import { escapeForDisplay } from '../../lambdas/core/jobs/text-rules.js';
import { traceIdOf } from '../../lambdas/core/ports/tracing.js';
import type { Connection } from '../../lambdas/sdk/connection.js';
import { printJson } from './cli-io.js';
import {
  type ConnectionOptions,
  connect,
  connectedAction,
  withConnectionOption,
} from './connection-options.js';
import { findJob } from './jobs-logs.js';

interface TraceOptions extends ConnectionOptions {
  json?: boolean;
}

/** Attributes printed beside a span's name (the rest are in `--json`). */
const SHOWN_ATTRIBUTES = [
  'aws.s3.bucket',
  'aws.s3.key',
  'bucketflow.job.id',
  'bucketflow.task.id',
  'bucketflow.task.attempt',
  'bucketflow.task.outcome',
];

/**
 * Registers `bucketflow jobs trace JOB [--json]`: the trace of a job, from
 * the object's ingest through every task attempt. Local mode reads the data
 * directory's trace file and prints the span tree; on a deployed stack it
 * prints the trace id and where to open it (CloudWatch's X-Ray trace view).
 *
 * @example
 * ```ts
 * registerJobsTraceCommand(program.command('jobs'));
 * ```
 */
export function registerJobsTraceCommand(jobs: Command): void {
  withConnectionOption(
    jobs
      .command('trace')
      .description(
        "print a job's trace: the object's ingest, the job's submit and each task attempt (claim, execute, complete) with durations",
      )
      .argument('<id>', 'job id')
      .option('--json', 'print the spans as a JSON array'),
  ).action(
    connectedAction(async (id: string, options: TraceOptions) => {
      const { client, connection } = await connect(options);
      const job = await findJob(client, id);
      const traceId = traceIdOf(job.traceparent);
      if (traceId === undefined) {
        throw new ValidationError(
          `job ${job.jobId}`,
          'was submitted without a trace',
          'jobs are traced when tracing is on where they were submitted (docs/tracing.md)',
        );
      }
      if (connection.kind !== 'local') {
        process.stdout.write(`${awsTraceHint(connection, traceId)}\n`);
        return;
      }
      const spans = await readLocalTrace(connection, traceId);
      if (options.json) {
        printJson(spans);
        return;
      }
      process.stdout.write(formatTrace(traceId, spans));
      if (spans.length === 0) process.stderr.write(`no spans of trace ${traceId} recorded yet\n`);
    }),
  );
}

/** The trace as an indented tree: each span's name, duration, service and main attributes. */
export function formatTrace(traceId: string, spans: readonly SpanLine[]): string {
  const byParent = new Map<string, SpanLine[]>();
  const ids = new Set(spans.map((span) => span.spanId));
  const roots: SpanLine[] = [];
  for (const span of [...spans].sort((a, b) => a.start - b.start)) {
    const parent = span.parentSpanId;
    if (parent === undefined || !ids.has(parent)) roots.push(span);
    else byParent.set(parent, [...(byParent.get(parent) ?? []), span]);
  }
  const first = Math.min(...spans.map((span) => span.start));
  const last = Math.max(...spans.map((span) => span.end));
  const lines = [
    `trace ${traceId}: ${spans.length} span(s)${spans.length > 0 ? `, ${ms(last - first)}` : ''}\n`,
  ];
  const walk = (span: SpanLine, prefix: string, last: boolean, depth: number) => {
    const branch = depth === 0 ? '' : last ? '└─ ' : '├─ ';
    const shown = SHOWN_ATTRIBUTES.flatMap((key) =>
      span.attributes[key] === undefined
        ? []
        : [`${key.split('.').at(-1)}=${escapeForDisplay(String(span.attributes[key]))}`],
    );
    const error = span.error === undefined ? '' : `  ERROR ${escapeForDisplay(span.error)}`;
    lines.push(
      `${prefix}${branch}${escapeForDisplay(span.name)}  ${ms(span.end - span.start)}  [${span.service}]${shown.length > 0 ? `  ${shown.join(' ')}` : ''}${error}\n`,
    );
    const children = byParent.get(span.spanId) ?? [];
    const next = depth === 0 ? prefix : `${prefix}${last ? '   ' : '│  '}`;
    for (const [index, child] of children.entries()) {
      walk(child, next, index === children.length - 1, depth + 1);
    }
  };
  for (const root of roots) walk(root, '', true, 0);
  return lines.join('');
}

async function readLocalTrace(connection: Connection, traceId: string): Promise<SpanLine[]> {
  if (connection.kind !== 'local' || connection.dataDir === undefined) {
    throw new ValidationError(
      '--data-dir',
      'the local connection names no data directory, so its trace file cannot be found',
      'pass --data-dir DIR of the running bucketflow dev',
    );
  }
  const { readTrace } = await import('../../lambdas/adapters/otel/jsonl-span-exporter.js');
  return readTrace(join(connection.dataDir, LOCAL_TRACE_FILE), traceId);
}

function awsTraceHint(connection: Connection, traceId: string): string {
  const region = connection.endpoints.region;
  return [
    `trace ${traceId}`,
    `open it in CloudWatch (X-Ray traces, Transaction Search enabled): https://${region}.console.aws.amazon.com/cloudwatch/home?region=${region}#xray:traces/1-${traceId.slice(0, 8)}-${traceId.slice(8)}`,
    'spans are exported when the stack sets an OTLP endpoint (docs/tracing.md)',
  ].join('\n');
}

function ms(value: number): string {
  return `${value.toFixed(1)} ms`;
}
