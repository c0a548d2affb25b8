import type { SendMessageBatchRequestEntry, SQSClient } from '@aws-sdk/client-sqs';
import type { MiddlewareHost } from '../../../lambdas/adapters/aws/request-accounting.js';

/** A refusal to inject for one entry: what SQS would put in `Failed`. */
export interface InjectedFailure {
  readonly code: string;
  readonly senderFault: boolean;
}

/** What the injector saw: the entries of every SendMessageBatch call, in order. */
export interface BatchCallLog {
  readonly calls: SendMessageBatchRequestEntry[][];
}

/**
 * Makes the real SQS server refuse chosen entries of SendMessageBatch calls,
 * as SQS does under partial failure: the refused entries are not sent to the
 * server and come back in `Failed`; the others are sent for real. The local
 * server never refuses entries on its own, so this is the only way to test
 * the retry path against it.
 */
export function injectSendFailures(
  client: SQSClient,
  decide: (entry: SendMessageBatchRequestEntry, call: number) => InjectedFailure | undefined,
): BatchCallLog {
  const log: BatchCallLog = { calls: [] };
  const stack = (client as unknown as MiddlewareHost).middlewareStack;
  stack.remove(NAME);
  stack.add(
    (next, context) => async (args) => {
      if (context.commandName !== 'SendMessageBatchCommand') return next(args);
      const input = args.input as { Entries: SendMessageBatchRequestEntry[] };
      const call = log.calls.length;
      log.calls.push([...input.Entries]);
      const refused: Array<{ Id: string; Code: string; SenderFault: boolean; Message: string }> =
        [];
      const kept = input.Entries.filter((entry) => {
        const failure = decide(entry, call);
        if (failure) {
          refused.push({
            Id: String(entry.Id),
            Code: failure.code,
            SenderFault: failure.senderFault,
            Message: `injected ${failure.code}`,
          });
        }
        return !failure;
      });
      if (kept.length === 0) return { output: { Successful: [], Failed: refused } };
      const result = await next({ ...args, input: { ...input, Entries: kept } });
      const output = result.output as { Failed?: unknown[] };
      return { ...result, output: { ...output, Failed: [...(output.Failed ?? []), ...refused] } };
    },
    { step: 'initialize', name: NAME },
  );
  return log;
}

const NAME = 'bucketflowTestSendFailures';
