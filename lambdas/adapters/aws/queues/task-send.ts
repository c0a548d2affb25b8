import { SendMessageBatchCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { RefusedEntry, TaskMessage } from '../../../core/ports/task-queue.js';
import { type PartialRetryOptions, sendInBatches } from '../partial-batch-retry.js';
import {
  delaySecondsUntil,
  encodeTaskMessage,
  entryFailure,
  refusal,
  SQS_BATCH_MAX_ENTRIES,
  SQS_MAX_PAYLOAD_BYTES,
} from './task-messages.js';

type Refused = RefusedEntry<TaskMessage>;

/**
 * Sends one queue's task messages in SendMessageBatch calls (10 entries and
 * 256 KiB at most each), retrying the entries SQS refuses; returns those it
 * still refused, and the ones that could not be encoded.
 */
export async function sendToQueue(
  client: SQSClient,
  url: string,
  messages: readonly TaskMessage[],
  now: number,
  retry: PartialRetryOptions,
): Promise<Refused[]> {
  const refused: Refused[] = [];
  const encoded: Array<{ message: TaskMessage; body: string; delaySeconds: number }> = [];
  for (const message of messages) {
    try {
      const body = encodeTaskMessage(message);
      encoded.push({ message, body, delaySeconds: delaySecondsUntil(message.notBefore, now) });
    } catch (error) {
      refused.push(refusal(message, error));
    }
  }
  const failed = await sendInBatches(
    encoded,
    {
      maxEntries: SQS_BATCH_MAX_ENTRIES,
      maxBytes: SQS_MAX_PAYLOAD_BYTES,
      sizeOf: (entry) => Buffer.byteLength(entry.body, 'utf8'),
    },
    async (batch) => {
      const { Failed = [] } = await client.send(
        new SendMessageBatchCommand({
          QueueUrl: url,
          Entries: batch.map((entry, index) => ({
            Id: String(index),
            MessageBody: entry.body,
            DelaySeconds: entry.delaySeconds,
          })),
        }),
      );
      return Failed.map(entryFailure);
    },
    retry,
  );
  refused.push(
    ...failed.map(({ entry, code, message }) => ({ entry: entry.message, code, message })),
  );
  return refused;
}

interface Waiting {
  readonly messages: readonly TaskMessage[];
  readonly settle: (result: { refused: Refused[] } | { error: unknown }) => void;
}

/**
 * Joins the sends to one queue that overlap in time, as Nagle's algorithm
 * joins small writes: a send to an idle queue leaves at once, and while one
 * is in flight the messages of later sends wait and leave together when it
 * returns (sooner once a full batch of 10 is waiting). A client that submits
 * one job at a time pays no delay; concurrent submits share SendMessageBatch
 * calls, so a bulk submitter pays about a tenth of a request per task. Each
 * caller learns only about its own messages.
 */
export class CoalescingSender {
  readonly #send: (messages: readonly TaskMessage[]) => Promise<Refused[]>;
  #inFlight = 0;
  #waiting: Waiting[] = [];
  #waitingCount = 0;

  constructor(send: (messages: readonly TaskMessage[]) => Promise<Refused[]>) {
    this.#send = send;
  }

  /** Sends `messages` with whatever else is waiting; resolves with the refused ones among them. */
  send(messages: readonly TaskMessage[]): Promise<Refused[]> {
    return new Promise((resolve, reject) => {
      this.#waiting.push({
        messages,
        settle: (result) => ('error' in result ? reject(result.error) : resolve(result.refused)),
      });
      this.#waitingCount += messages.length;
      if (this.#inFlight === 0 || this.#waitingCount >= SQS_BATCH_MAX_ENTRIES) this.#flush();
    });
  }

  #flush(): void {
    const group = this.#waiting;
    if (group.length === 0) return;
    this.#waiting = [];
    this.#waitingCount = 0;
    this.#inFlight++;
    this.#send(group.flatMap((waiting) => waiting.messages)).then(
      (refused) => {
        const byMessage = new Map(refused.map((entry) => [entry.entry, entry]));
        for (const waiting of group) {
          const own = waiting.messages.flatMap((message) => {
            const entry = byMessage.get(message);
            return entry ? [entry] : [];
          });
          waiting.settle({ refused: own });
        }
        this.#done();
      },
      (error: unknown) => {
        for (const waiting of group) waiting.settle({ error });
        this.#done();
      },
    );
  }

  #done(): void {
    this.#inFlight--;
    this.#flush();
  }
}
