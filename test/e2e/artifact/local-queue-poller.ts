import {
  DeleteMessageBatchCommand,
  type Message,
  ReceiveMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { LocalFunction } from './local-functions.js';
import { LOCAL_REGION, type LocalResources } from './local-resources.js';
import { type IntrinsicResolver, resourcesOfType, type SynthesizedStack } from './template.js';

/** One invocation an event source mapping made, and what the function answered. */
export interface MappingInvocation {
  readonly size: number;
  readonly reportedFailures: number;
  readonly deleted: number;
  readonly error?: string | undefined;
}

/**
 * An SQS event source mapping as Lambda runs it: gathers up to `BatchSize`
 * messages (waiting up to `MaximumBatchingWindowInSeconds` once the first has
 * arrived), invokes the function with the SQS event, then deletes the
 * messages it processed. With `ReportBatchItemFailures`, the items the
 * function reports stay on the queue; a malformed report or a thrown error
 * leaves the whole batch there, as Lambda does. Messages left return after
 * their visibility timeout, and reach the DLQ by the queue's redrive policy.
 */
export class QueuePoller {
  readonly invocations: MappingInvocation[] = [];
  #running = false;
  #loop: Promise<void> | undefined;

  /** Logical id of the function this mapping invokes. */
  get functionId(): string {
    return this.fn.definition.logicalId;
  }

  constructor(
    private readonly sqs: SQSClient,
    private readonly queueUrl: string,
    private readonly queueArn: string,
    private readonly fn: LocalFunction,
    private readonly mapping: {
      readonly batchSize: number;
      readonly windowSeconds: number;
      readonly reportsFailures: boolean;
    },
  ) {}

  start(): void {
    this.#running = true;
    this.#loop = this.#poll();
  }

  async stop(): Promise<void> {
    this.#running = false;
    await this.#loop;
  }

  async #poll(): Promise<void> {
    while (this.#running) {
      const batch = await this.#gather();
      if (batch.length > 0) await this.#invoke(batch);
    }
  }

  async #gather(): Promise<Message[]> {
    const batch: Message[] = [];
    let deadline = Number.POSITIVE_INFINITY;
    while (this.#running && batch.length < this.mapping.batchSize) {
      const left = deadline - Date.now();
      if (left <= 0) break;
      const { Messages = [] } = await this.sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: this.queueUrl,
          MaxNumberOfMessages: Math.min(10, this.mapping.batchSize - batch.length),
          WaitTimeSeconds: 1,
          MessageSystemAttributeNames: ['All'],
        }),
      );
      batch.push(...Messages);
      if (batch.length > 0 && deadline === Number.POSITIVE_INFINITY) {
        if (this.mapping.windowSeconds === 0) break;
        deadline = Date.now() + this.mapping.windowSeconds * 1000;
      }
    }
    return batch;
  }

  async #invoke(batch: readonly Message[]): Promise<void> {
    const records = batch.map((message) => ({
      messageId: message.MessageId ?? '',
      receiptHandle: message.ReceiptHandle ?? '',
      body: message.Body ?? '',
      attributes: message.Attributes ?? {},
      messageAttributes: {},
      md5OfBody: message.MD5OfBody ?? '',
      eventSource: 'aws:sqs',
      eventSourceARN: this.queueArn,
      awsRegion: LOCAL_REGION,
    }));
    let failed: Set<string> | undefined;
    let error: string | undefined;
    try {
      const response = await this.fn.invoke({ Records: records });
      failed = this.mapping.reportsFailures ? failuresOf(response, records) : new Set();
    } catch (thrown) {
      error = (thrown as Error).message;
    }
    const done = failed ? records.filter((record) => !failed.has(record.messageId)) : [];
    for (let start = 0; start < done.length; start += 10) {
      await this.sqs.send(
        new DeleteMessageBatchCommand({
          QueueUrl: this.queueUrl,
          Entries: done.slice(start, start + 10).map((record, index) => ({
            Id: String(index),
            ReceiptHandle: record.receiptHandle,
          })),
        }),
      );
    }
    this.invocations.push({
      size: records.length,
      reportedFailures: failed?.size ?? records.length,
      deleted: done.length,
      error,
    });
  }
}

/** The reported failures, or undefined (the whole batch failed) when the report is malformed. */
function failuresOf(
  response: unknown,
  records: ReadonlyArray<{ messageId: string }>,
): Set<string> | undefined {
  if (response === null || response === undefined) return new Set();
  const items = (response as { batchItemFailures?: unknown }).batchItemFailures;
  if (items === undefined) return new Set();
  if (!Array.isArray(items)) return undefined;
  const ids = new Set(records.map((record) => record.messageId));
  const failed = new Set<string>();
  for (const item of items) {
    const id = (item as { itemIdentifier?: unknown } | null)?.itemIdentifier;
    if (typeof id !== 'string' || !ids.has(id)) return undefined;
    failed.add(id);
  }
  return failed;
}

/**
 * The event source mappings of a stack, each polling its queue for its
 * function, by the mapping's logical id: a runner function has one mapping
 * per route queue of its tasks.
 *
 * @example
 * ```ts
 * const pollers = queuePollers(stack, resolver, resources, functions, clients.sqs);
 * ```
 */
export function queuePollers(
  stack: SynthesizedStack,
  resolver: IntrinsicResolver,
  resources: LocalResources,
  functions: ReadonlyMap<string, LocalFunction>,
  sqs: SQSClient,
): Map<string, QueuePoller> {
  const pollers = new Map<string, QueuePoller>();
  for (const [mappingId, mapping] of resourcesOfType(stack, 'AWS::Lambda::EventSourceMapping')) {
    const properties = resolver.resolve(mapping.Properties ?? {}) as Record<string, unknown>;
    const queueArn = String(properties.EventSourceArn);
    const queue = resources.queuesByArn.get(queueArn);
    const fn = functions.get(String(properties.FunctionName));
    const url = queue && resources.queueUrls.get(queue);
    if (!fn || !url) throw new Error(`event source mapping of ${queueArn} names nothing local`);
    pollers.set(
      mappingId,
      new QueuePoller(sqs, url, queueArn, fn, {
        batchSize: Number(properties.BatchSize ?? 10),
        windowSeconds: Number(properties.MaximumBatchingWindowInSeconds ?? 0),
        reportsFailures: (
          (properties.FunctionResponseTypes as string[] | undefined) ?? []
        ).includes('ReportBatchItemFailures'),
      }),
    );
  }
  return pollers;
}
