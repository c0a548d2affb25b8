import {
  DeleteMessageBatchCommand,
  ReceiveMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { SqsBatchResponse, SqsEvent } from '../../lambdas/handlers/sqs-event.js';
import { INGEST_RECEIVE_MAX, INGEST_WAIT_SECONDS } from './dev-constants.js';
import { JOURNAL_ID_ATTRIBUTE } from './durable-ingest.js';
import type { IngestJournal } from './ingest-journal.js';

/** Pause after a failed receive, so an unreachable server does not spin the loop. */
const ERROR_PAUSE_MS = 1_000;

export interface IngestPumpOptions {
  readonly sqs: SQSClient;
  readonly queueUrl: string;
  /** The s3-ingest handler (`createS3IngestHandler(runtime)`). */
  readonly handler: (event: SqsEvent) => Promise<SqsBatchResponse>;
  /** Long poll of each receive, in seconds; a stop waits for it. @default 1 */
  readonly waitSeconds?: number;
  /** A failed receive, handler call or delete; the messages come back after their visibility timeout. */
  readonly onError?: (error: unknown) => void;
  /**
   * Local mode's durable ingest journal: a message not journaled yet (sent
   * straight to the queue, by a backfill say) is journaled on receipt, and
   * what the handler ingested is marked done.
   */
  readonly journal?: IngestJournal | undefined;
  /** Called with the journal ids of the messages the handler ingested. */
  readonly onIngested?: (ids: readonly string[]) => void;
}

/** What one receive did. */
export interface PumpResult {
  readonly received: number;
  /** Deleted: the handler reported them done. */
  readonly deleted: number;
  /** Left on the queue: reported as failures, redelivered after the visibility timeout. */
  readonly failed: number;
}

/**
 * Plays the Lambda event source mapping of the ingest queue: receives up to
 * ten messages, calls the s3-ingest handler with an SQS Lambda event, and
 * deletes the messages it did not report in `batchItemFailures`. When the
 * handler throws, nothing is deleted (as Lambda retries the whole batch).
 * With a journal, the handler sees each message under its journal id, which
 * a replay after a restart keeps (SQS message ids change), and ingested
 * messages are marked done in the journal before they are deleted.
 *
 * @example
 * ```ts
 * const pump = new IngestPump({ sqs, queueUrl, handler: createS3IngestHandler(runtime) });
 * pump.start();
 * await pump.stop();
 * ```
 */
export class IngestPump {
  readonly #options: IngestPumpOptions;
  #loop: Promise<void> | undefined;
  #stopped = false;

  constructor(options: IngestPumpOptions) {
    this.#options = options;
  }

  /** Runs receives one after another until {@link stop}. */
  start(): void {
    if (this.#loop) return;
    this.#stopped = false;
    this.#loop = this.#run();
  }

  /** Stops after the receive under way (at most the long poll) and its handler call. */
  async stop(): Promise<void> {
    this.#stopped = true;
    await this.#loop;
    this.#loop = undefined;
  }

  /** One receive, handler call and delete; throws what fails. */
  async pumpOnce(
    waitSeconds = this.#options.waitSeconds ?? INGEST_WAIT_SECONDS,
  ): Promise<PumpResult> {
    const { sqs, queueUrl, handler } = this.#options;
    const receive = async (max: number, wait: number) =>
      (
        await sqs.send(
          new ReceiveMessageCommand({
            QueueUrl: queueUrl,
            MaxNumberOfMessages: max,
            WaitTimeSeconds: wait,
            MessageAttributeNames: [JOURNAL_ID_ATTRIBUTE],
          }),
        )
      ).Messages ?? [];
    // The local SQS server ends a long poll for several messages only when it has them all or
    // the wait is over (SQS returns as soon as any arrive): wait for one, then take what else is there.
    const first = await receive(1, waitSeconds);
    const Messages =
      first.length > 0 ? [...first, ...(await receive(INGEST_RECEIVE_MAX - 1, 0))] : first;
    // The local SQS server can hand out one message twice in a receive when its visibility
    // timeout is shorter than the long poll; the latest receipt is the one that deletes it.
    const byId = new Map<string, { messageId: string; body: string; receiptHandle: string }>();
    for (const message of Messages) {
      if (!message.MessageId || !message.ReceiptHandle) continue;
      const id =
        message.MessageAttributes?.[JOURNAL_ID_ATTRIBUTE]?.StringValue ?? message.MessageId;
      byId.set(id, {
        messageId: id,
        body: message.Body ?? '',
        receiptHandle: message.ReceiptHandle,
      });
    }
    const records = [...byId.values()];
    if (records.length === 0) return { received: 0, deleted: 0, failed: 0 };
    const { journal } = this.#options;
    journal?.put(
      records
        .filter((record) => !journal.has(record.messageId))
        .map((record) => ({ id: record.messageId, body: record.body })),
    );
    const response = await handler({ Records: records });
    const failed = new Set(response.batchItemFailures.map((failure) => failure.itemIdentifier));
    const done = records.filter((record) => !failed.has(record.messageId));
    if (done.length > 0) {
      const ids = done.map((record) => record.messageId);
      journal?.done(ids);
      this.#options.onIngested?.(ids);
      await sqs.send(
        new DeleteMessageBatchCommand({
          QueueUrl: queueUrl,
          Entries: done.map((record, index) => ({
            Id: String(index),
            ReceiptHandle: record.receiptHandle,
          })),
        }),
      );
    }
    return { received: records.length, deleted: done.length, failed: records.length - done.length };
  }

  async #run(): Promise<void> {
    while (!this.#stopped) {
      try {
        await this.pumpOnce();
      } catch (error) {
        this.#options.onError?.(error);
        if (!this.#stopped) await new Promise((resolve) => setTimeout(resolve, ERROR_PAUSE_MS));
      }
    }
  }
}
