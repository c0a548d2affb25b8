import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';

/** A PutEvents request entry as the SDK serialises it (JSON 1.1). */
export interface RecordedEntry {
  readonly EventBusName?: string;
  readonly Source?: string;
  readonly DetailType?: string;
  readonly Detail?: string;
  readonly Resources?: string[];
  /** Epoch seconds. */
  readonly Time?: number;
}

/** The error code to return for an entry, or undefined to accept it. */
export type FailureRule = (entry: RecordedEntry, call: number) => string | undefined;

export interface FakeEventBridge {
  /** Endpoint for the SDK client. */
  readonly url: string;
  /** Entries of every PutEvents call, in order (accepted or not). */
  readonly calls: RecordedEntry[][];
  /** Entries accepted, in order. */
  readonly accepted: RecordedEntry[];
  /** Makes matching entries fail with the returned ErrorCode, as EventBridge does under partial failure. */
  failWhen(rule: FailureRule | undefined): void;
  close(): Promise<void>;
}

/** EventBridge's limits, enforced so that a publisher that ignores them fails here too. */
const MAX_ENTRIES = 10;
const MAX_REQUEST_BYTES = 262_144;

/**
 * A loopback server that speaks the PutEvents operation of the EventBridge
 * JSON 1.1 protocol (`X-Amz-Target: AWSEvents.PutEvents`). There is no
 * local EventBridge; this one records entries and fails chosen entries on
 * demand, which a real bus cannot be told to do.
 */
export async function startFakeEventBridge(): Promise<FakeEventBridge> {
  const calls: RecordedEntry[][] = [];
  const accepted: RecordedEntry[] = [];
  let rule: FailureRule | undefined;

  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      reply(response, 500, { __type: 'InternalException', message: String(error) });
    });
  });

  async function handle(request: IncomingMessage, response: ServerResponse) {
    const target = request.headers['x-amz-target'];
    if (target !== 'AWSEvents.PutEvents') {
      reply(response, 400, {
        __type: 'UnknownOperationException',
        message: `fake EventBridge only speaks PutEvents, got ${String(target)}`,
      });
      return;
    }
    const body = await readBody(request);
    const { Entries = [] } = JSON.parse(body.toString('utf8')) as { Entries?: RecordedEntry[] };
    const call = calls.length;
    calls.push(Entries);
    const problem = limitProblem(Entries);
    if (problem) {
      reply(response, 400, { __type: 'ValidationException', message: problem });
      return;
    }
    let failedCount = 0;
    const results = Entries.map((entry) => {
      const code = rule?.(entry, call);
      if (code) {
        failedCount++;
        return { ErrorCode: code, ErrorMessage: `injected ${code}` };
      }
      accepted.push(entry);
      return { EventId: randomUUID() };
    });
    reply(response, 200, { FailedEntryCount: failedCount, Entries: results });
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    calls,
    accepted,
    failWhen(next) {
      rule = next;
    },
    close: () =>
      new Promise((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

function limitProblem(entries: readonly RecordedEntry[]): string | undefined {
  if (entries.length === 0 || entries.length > MAX_ENTRIES) {
    return `1 validation error detected: Entries must have 1 to ${MAX_ENTRIES} members, got ${entries.length}`;
  }
  const bytes = entries.reduce((sum, entry) => sum + entrySize(entry), 0);
  if (bytes > MAX_REQUEST_BYTES) {
    return `Total size of the entries in the request is over the limit (${bytes} > ${MAX_REQUEST_BYTES} bytes)`;
  }
  return undefined;
}

function entrySize(entry: RecordedEntry): number {
  let size = entry.Time === undefined ? 0 : 14;
  for (const text of [entry.Source, entry.DetailType, entry.Detail, ...(entry.Resources ?? [])]) {
    size += Buffer.byteLength(text ?? '', 'utf8');
  }
  return size;
}

async function readBody(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  const raw = Buffer.concat(chunks);
  return request.headers['content-encoding'] === 'gzip' ? promisify(gunzip)(raw) : raw;
}

function reply(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, {
    'content-type': 'application/x-amz-json-1.1',
    'x-amzn-requestid': randomUUID(),
  });
  response.end(JSON.stringify(body));
}
