import {
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  ReceiveMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { SqsBatchResponse, SqsEvent } from '../../lambdas/handlers/sqs-event.js';

/** SQS returns at most 10 messages per ReceiveMessage and deletes at most 10 per batch. */
const SQS_MAX_BATCH = 10;
/** Empty polls in a row after which a queue counts as drained. */
const EMPTY_POLLS_TO_STOP = 2;

/** What the emulated event source mapping did: the SQS calls Lambda makes on AWS and the function's time. */
export interface PollerUsage {
  receives: number;
  deletes: number;
  invocations: number;
  functionMs: number;
  records: number;
}

/**
 * Lambda's SQS event source mapping, emulated: it receives up to 10 messages
 * per ReceiveMessage from each queue, invokes the function with batches of
 * `batchSize` records (timing each invocation, as Lambda bills it) and
 * deletes the records the function did not report as failed with one
 * DeleteMessageBatch per received batch. Only non-empty polls are counted:
 * a busy mapping's polls return messages; idle polling is a separate figure
 * (docs/data-model/queues-events-storage.md).
 *
 * `sqs` must be a client whose requests are not counted as the product's own.
 */
export class LambdaPoller {
  readonly usage: PollerUsage = {
    receives: 0,
    deletes: 0,
    invocations: 0,
    functionMs: 0,
    records: 0,
  };
  readonly #sqs: SQSClient;
  readonly #urls = new Map<string, { url: string; arn: string }>();

  constructor(sqs: SQSClient) {
    this.#sqs = sqs;
  }

  reset(): void {
    Object.assign(this.usage, {
      receives: 0,
      deletes: 0,
      invocations: 0,
      functionMs: 0,
      records: 0,
    });
  }

  /** Feeds `handler` from `queueNames` until every queue is empty twice in a row. */
  async drain(
    queueNames: readonly string[],
    handler: (event: SqsEvent) => Promise<SqsBatchResponse>,
    batchSize: number,
  ): Promise<void> {
    let empty = 0;
    while (empty < EMPTY_POLLS_TO_STOP) {
      let got = 0;
      for (const name of queueNames) got += await this.#pollOnce(name, handler, batchSize);
      empty = got === 0 ? empty + 1 : 0;
    }
  }

  async #pollOnce(
    name: string,
    handler: (event: SqsEvent) => Promise<SqsBatchResponse>,
    batchSize: number,
  ): Promise<number> {
    const queue = await this.#queue(name);
    if (!queue) return 0;
    const { Messages = [] } = await this.#sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: queue.url,
        MaxNumberOfMessages: SQS_MAX_BATCH,
        WaitTimeSeconds: 0,
      }),
    );
    if (Messages.length === 0) return 0;
    this.usage.receives++;
    this.usage.records += Messages.length;
    const failed = new Set<string>();
    for (let i = 0; i < Messages.length; i += batchSize) {
      const records = Messages.slice(i, i + batchSize).map((message) => ({
        messageId: message.MessageId ?? '',
        receiptHandle: message.ReceiptHandle ?? '',
        body: message.Body ?? '',
        eventSourceARN: queue.arn,
      }));
      const start = performance.now();
      const response = await handler({ Records: records });
      this.usage.functionMs += Math.ceil(performance.now() - start);
      this.usage.invocations++;
      for (const failure of response.batchItemFailures) failed.add(failure.itemIdentifier);
    }
    const done = Messages.filter((message) => !failed.has(message.MessageId ?? ''));
    if (done.length > 0) {
      this.usage.deletes++;
      await this.#sqs.send(
        new DeleteMessageBatchCommand({
          QueueUrl: queue.url,
          Entries: done.map((message, index) => ({
            Id: String(index),
            ReceiptHandle: message.ReceiptHandle ?? '',
          })),
        }),
      );
    }
    return Messages.length;
  }

  async #queue(name: string): Promise<{ url: string; arn: string } | undefined> {
    const known = this.#urls.get(name);
    if (known) return known;
    try {
      const { QueueUrl = '' } = await this.#sqs.send(new GetQueueUrlCommand({ QueueName: name }));
      const { Attributes } = await this.#sqs.send(
        new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }),
      );
      const queue = { url: QueueUrl, arn: Attributes?.QueueArn ?? `arn:aws:sqs:local:0:${name}` };
      this.#urls.set(name, queue);
      return queue;
    } catch {
      // Not created yet: nothing was sent to it.
      return undefined;
    }
  }
}
