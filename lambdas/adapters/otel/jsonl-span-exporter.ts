import { appendFile, mkdir, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { type HrTime, SpanStatusCode } from '@opentelemetry/api';
import { type ExportResult, ExportResultCode } from '@opentelemetry/core';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace';

/** Local mode's trace file in the data directory: every process of the stack appends to it. */
export const LOCAL_TRACE_FILE = 'traces.jsonl';

/** One finished span as a line of the local trace file. Times are epoch ms. */
export interface SpanLine {
  readonly traceId: string;
  readonly spanId: string;
  /** Absent for a trace's root span. */
  readonly parentSpanId?: string;
  readonly name: string;
  readonly service: string;
  readonly start: number;
  readonly end: number;
  readonly attributes: Readonly<Record<string, unknown>>;
  /** Set when the span ended with an error. */
  readonly error?: string;
}

/**
 * Exports spans as JSON lines appended to one file (local mode's trace view:
 * `<data-dir>/traces.jsonl`, read by `bucketflow jobs trace`). Each export
 * is one append of whole lines, so the dev server and runner processes can
 * share the file.
 */
export class JsonlSpanExporter implements SpanExporter {
  readonly #file: string;
  #pending: Promise<unknown> = Promise.resolve();

  constructor(file: string) {
    this.#file = file;
  }

  export(spans: ReadableSpan[], resultCallback: (result: ExportResult) => void): void {
    const text = spans.map((span) => `${JSON.stringify(spanLine(span))}\n`).join('');
    const write = this.#pending.then(async () => {
      await mkdir(dirname(this.#file), { recursive: true });
      await appendFile(this.#file, text, 'utf8');
    });
    this.#pending = write.catch(() => undefined);
    write.then(
      () => resultCallback({ code: ExportResultCode.SUCCESS }),
      (error: unknown) =>
        resultCallback({
          code: ExportResultCode.FAILED,
          error: error instanceof Error ? error : new Error(String(error)),
        }),
    );
  }

  async forceFlush(): Promise<void> {
    await this.#pending;
  }

  async shutdown(): Promise<void> {
    await this.#pending;
  }
}

/** The line a span becomes. */
export function spanLine(span: ReadableSpan): SpanLine {
  const { traceId, spanId } = span.spanContext();
  const parent = span.parentSpanContext?.spanId;
  const service = span.resource.attributes['service.name'];
  return {
    traceId,
    spanId,
    ...(parent ? { parentSpanId: parent } : {}),
    name: span.name,
    service: typeof service === 'string' ? service : 'unknown',
    start: epochMs(span.startTime),
    end: epochMs(span.endTime),
    attributes: { ...span.attributes },
    ...(span.status.code === SpanStatusCode.ERROR ? { error: span.status.message ?? 'error' } : {}),
  };
}

function epochMs([seconds, nanos]: HrTime): number {
  return seconds * 1000 + nanos / 1e6;
}

/**
 * The spans of one trace in a local trace file, in the order they ended;
 * lines that are not spans (a torn last line after a crash) are skipped.
 *
 * @example
 * ```ts
 * const spans = await readTrace(join(dataDir, LOCAL_TRACE_FILE), traceId);
 * ```
 */
export async function readTrace(file: string, traceId: string): Promise<SpanLine[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  const spans: SpanLine[] = [];
  for (const line of text.split('\n')) {
    if (!line.includes(traceId)) continue;
    try {
      const span = JSON.parse(line) as SpanLine;
      if (span.traceId === traceId && typeof span.spanId === 'string') spans.push(span);
    } catch {
      // A line cut short by a crash.
    }
  }
  return spans;
}
