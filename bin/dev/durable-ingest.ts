import { randomUUID } from 'node:crypto';
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { S3EventBridgeEvent } from '../../lambdas/adapters/aws/events/s3-event-parsing.js';
import { sendMessages } from '../../lambdas/adapters/aws/queues/send-messages.js';
import { DevStackError } from './errors.js';
import type { IngestJournal, JournalEntry } from './ingest-journal.js';

/** Message attribute carrying the journal id of an ingest message. */
export const JOURNAL_ID_ATTRIBUTE = 'BucketflowJournalId';
/** Pause before sending again what the ingest queue did not take. */
const RETRY_MS = 1_000;
/** Entries per flush round. */
const FLUSH_CHUNK = 100;

export interface DurableIngestOptions {
  readonly journal: IngestJournal;
  readonly sqs: SQSClient;
  readonly queueUrl: string;
  /** Fills in what an event lacks before it is sent (the S3 server's copy records carry no ETag). */
  readonly complete?: (event: S3EventBridgeEvent) => Promise<S3EventBridgeEvent>;
  /** A send that failed; it is tried again after a second. */
  readonly onError?: (error: unknown) => void;
}

/**
 * Local mode's ingest queue made durable: `accept` journals events (on disk
 * before it returns), then they are sent to the SQS server's ingest queue
 * with their journal id as a message attribute; what the queue refuses or
 * misses (the server down) is sent again. On start, every journal entry not
 * ingested yet is sent again, except those `start` is told are parked in the
 * dead-letter queue.
 *
 * @example
 * ```ts
 * const ingest = new DurableIngest({ journal, sqs, queueUrl });
 * ingest.start();
 * ingest.accept(events);
 * await ingest.stop();
 * ```
 */
export class DurableIngest {
  readonly #options: DurableIngestOptions;
  readonly #unsent = new Set<string>();
  #flushing: Promise<void> | undefined;
  #timer: NodeJS.Timeout | undefined;
  #stopped = true;

  constructor(options: DurableIngestOptions) {
    this.#options = options;
  }

  /** Sends what the journal holds, leaving out `parked` ids, and what is accepted from now on. */
  start(options: { readonly parked?: ReadonlySet<string> } = {}): void {
    for (const entry of this.#options.journal.pending()) {
      if (!options.parked?.has(entry.id)) this.#unsent.add(entry.id);
    }
    this.#stopped = false;
    this.#schedule(0);
  }

  /** Journals events (durably, before returning) and schedules their send; returns their ids. */
  accept(events: readonly S3EventBridgeEvent[]): string[] {
    const entries: JournalEntry[] = events.map((event) => ({
      id: event.id ?? randomUUID(),
      body: JSON.stringify(event),
    }));
    this.#options.journal.put(entries);
    for (const entry of entries) this.#unsent.add(entry.id);
    this.#schedule(0);
    return entries.map((entry) => entry.id);
  }

  /** Entries accepted but not yet on the queue. */
  get unsentCount(): number {
    return this.#unsent.size;
  }

  /** Sends every unsent entry once; what fails stays for the next round. */
  flush(): Promise<void> {
    this.#flushing ??= this.#flush().finally(() => {
      this.#flushing = undefined;
    });
    return this.#flushing;
  }

  /** Stops sending after a last round; what is still unsent stays in the journal. */
  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer) clearTimeout(this.#timer);
    await this.#flushing;
    await this.flush().catch((error: unknown) => this.#options.onError?.(error));
  }

  #schedule(delay: number): void {
    if (this.#stopped || this.#timer) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.flush().then(
        () => {
          if (this.#unsent.size > 0) this.#schedule(RETRY_MS);
        },
        (error: unknown) => {
          this.#options.onError?.(error);
          this.#schedule(RETRY_MS);
        },
      );
    }, delay);
  }

  async #flush(): Promise<void> {
    const { journal, sqs, queueUrl } = this.#options;
    const ids = [...this.#unsent];
    for (let start = 0; start < ids.length; start += FLUSH_CHUNK) {
      const entries: JournalEntry[] = [];
      for (const id of ids.slice(start, start + FLUSH_CHUNK)) {
        const body = journal.body(id);
        // Ingested meanwhile (a redrive, a replay that came back): nothing to send.
        if (body === undefined) this.#unsent.delete(id);
        else entries.push({ id, body });
      }
      const messages = await Promise.all(
        entries.map(async (entry) => ({
          id: entry.id,
          body: await this.#completed(entry.body),
          attributes: { [JOURNAL_ID_ATTRIBUTE]: { DataType: 'String', StringValue: entry.id } },
        })),
      );
      const refused = await sendMessages(sqs, queueUrl, messages);
      const refusedIds = new Set(
        refused.map((entry) => (entry.message as (typeof messages)[number]).id),
      );
      for (const message of messages) {
        if (!refusedIds.has(message.id)) this.#unsent.delete(message.id);
      }
      if (refused.length > 0) {
        throw new DevStackError(
          `the ingest queue refused ${refused.length} event(s) (${refused[0]?.reason || refused[0]?.code}); they stay journaled and are sent again`,
        );
      }
    }
  }

  async #completed(body: string): Promise<string> {
    const complete = this.#options.complete;
    if (!complete) return body;
    try {
      return JSON.stringify(await complete(JSON.parse(body) as S3EventBridgeEvent));
    } catch {
      return body;
    }
  }
}
