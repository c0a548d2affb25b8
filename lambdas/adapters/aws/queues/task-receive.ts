import type { Message } from '@aws-sdk/client-sqs';

/** One ReceiveMessage call as {@link receiveTasks} wants it sent. */
export interface ReceiveRequest {
  readonly max: number;
  /** Undefined: the queue's ReceiveMessageWaitTimeSeconds. */
  readonly waitSeconds: number | undefined;
}

export interface ReceivePlan {
  readonly max: number;
  readonly waitSeconds: number | undefined;
  /** Whether a long poll for several messages returns as soon as one is there (SQS), or only once all are (the local server). */
  readonly partialLongPolls: boolean;
  /** The route's last receive filled its batch: messages are probably waiting. */
  readonly busy: boolean;
  readonly signal?: AbortSignal | undefined;
}

/**
 * Receives up to `max` messages with as few calls as the server allows. On
 * SQS one long poll returns as soon as any message is there, so one call
 * does. The local SQS server answers a long poll for N messages only when N
 * arrived or the wait ended, so there a busy route is short-polled for a
 * whole batch (which returns at once while messages keep coming), and an
 * idle one is long-polled for a single message, which returns as soon as it
 * arrives. Returns the messages and whether the route looks busy.
 *
 * @example
 * ```ts
 * const { messages, busy } = await receiveTasks((request) => client.send(command(request)), plan);
 * ```
 */
export async function receiveTasks(
  call: (request: ReceiveRequest) => Promise<{ Messages?: Message[] | undefined }>,
  plan: ReceivePlan,
): Promise<{ messages: Message[]; busy: boolean }> {
  const send = async (request: ReceiveRequest): Promise<Message[]> => {
    try {
      return (await call(request)).Messages ?? [];
    } catch (error) {
      if (plan.signal?.aborted) return [];
      throw error;
    }
  };
  const longPoll = plan.waitSeconds === undefined || plan.waitSeconds > 0;
  if (plan.partialLongPolls || plan.max === 1 || !longPoll) {
    const messages = await send({ max: plan.max, waitSeconds: plan.waitSeconds });
    return { messages, busy: messages.length >= plan.max };
  }
  if (plan.busy) {
    const batch = await send({ max: plan.max, waitSeconds: 0 });
    if (batch.length > 0) return { messages: batch, busy: batch.length >= plan.max };
  }
  const first = await send({ max: 1, waitSeconds: plan.waitSeconds });
  return { messages: first, busy: first.length > 0 };
}
