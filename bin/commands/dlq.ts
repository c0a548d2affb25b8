import type { Command } from 'commander';
import type { DeadLetterQueue } from '../../lambdas/adapters/aws/queues/dead-letters.js';
import { ValidationError } from '../../lambdas/core/errors.js';
import type { Connection } from '../../lambdas/sdk/connection.js';
import { formatTable } from './cli-format.js';
import { parseIntegerOption, printJson } from './cli-io.js';
import {
  type ConnectionOptions,
  connect,
  connectedAction,
  withConnectionOption,
} from './connection-options.js';
import { type DeadLetterSummary, describeSummary, summarizeDeadLetter } from './dlq-format.js';

interface DlqOptions extends ConnectionOptions {
  queue?: string;
  limit?: number;
  json?: boolean;
}

/** Messages `dlq list` shows per queue unless told otherwise. */
const DEFAULT_LIMIT = 100;
/** How long `dlq redrive` waits for SQS to move the messages. */
const REDRIVE_WAIT_MS = 120_000;

const QUEUE_HELP =
  "which dead-letter queues: 'ingest', 'tasks' (every cluster's), or a queue name (default: all)";

/**
 * Registers `bucketflow dlq list|redrive`: the dead-lettered ingest events
 * and task messages of a deployment (local or on AWS), and moving them back
 * to the queues they came from (SQS StartMessageMoveTask).
 *
 * @example
 * ```ts
 * registerDlqCommand(new Command('bucketflow'));
 * ```
 */
export function registerDlqCommand(program: Command): void {
  const dlq = program
    .command('dlq')
    .description('dead-letter queues: ingest events and task messages that failed too often');

  withConnectionOption(
    dlq
      .command('list')
      .description('list the messages of the dead-letter queues, oldest first')
      .option('--queue <which>', QUEUE_HELP)
      .option(
        '--limit <n>',
        `messages per queue (default ${DEFAULT_LIMIT})`,
        parseIntegerOption('--limit', 1),
      )
      .option('--json', 'print the messages as JSON'),
  ).action(
    connectedAction(async (options: DlqOptions) => {
      const { sqs, queues } = await selectedQueues(options);
      const { peekMessages } = await import('../../lambdas/adapters/aws/queues/dead-letters.js');
      const letters: DeadLetterSummary[] = [];
      for (const queue of queues) {
        for (const letter of await peekMessages(sqs, queue.url, options.limit ?? DEFAULT_LIMIT)) {
          letters.push(summarizeDeadLetter(queue, letter));
        }
      }
      letters.sort((a, b) => (a.sentAt ?? '').localeCompare(b.sentAt ?? ''));
      if (options.json) return printJson({ queues: queues.map(queueJson), letters });
      if (letters.length === 0) {
        process.stdout.write(
          `no dead letters in ${queues.length === 0 ? 'any queue (none exists yet)' : queues.map((queue) => queue.name).join(', ')}\n`,
        );
        return;
      }
      process.stdout.write(
        formatTable(
          ['queue', 'sent', 'receives', 'what'],
          letters.map((letter) => [
            letter.queue,
            letter.sentAt?.replace(/\.\d{3}Z$/, 'Z') ?? '-',
            String(letter.receiveCount ?? '-'),
            describeSummary(letter),
          ]),
        ),
      );
      process.stdout.write(
        'move them back with: bucketflow dlq redrive (after fixing what made them fail)\n',
      );
    }),
  );

  withConnectionOption(
    dlq
      .command('redrive')
      .description('move dead letters back to the queues they came from, to be processed again')
      .option('--queue <which>', QUEUE_HELP)
      .option('--json', 'print what was moved as JSON'),
  ).action(
    connectedAction(async (options: DlqOptions) => {
      const { sqs, queues } = await selectedQueues(options);
      const { messageCount, redriveDeadLetters, waitForRedrive } = await import(
        '../../lambdas/adapters/aws/queues/dead-letters.js'
      );
      const moved: { queue: string; to: string; messages: number | undefined }[] = [];
      for (const queue of queues) {
        if ((await messageCount(sqs, queue.url)) === 0) continue;
        await redriveDeadLetters(sqs, queue);
        const count = await waitForRedrive(sqs, queue, REDRIVE_WAIT_MS);
        moved.push({ queue: queue.name, to: queue.sourceName, messages: count });
      }
      if (options.json) return printJson({ moved });
      if (moved.length === 0) {
        process.stdout.write('no dead letters to move\n');
        return;
      }
      for (const entry of moved) {
        process.stdout.write(
          entry.messages === undefined
            ? `moving the messages of ${entry.queue} back to ${entry.to} (still running after ${REDRIVE_WAIT_MS / 1000} s)\n`
            : `moved ${entry.messages} message(s) from ${entry.queue} back to ${entry.to}\n`,
        );
      }
    }),
  );
}

async function selectedQueues(options: DlqOptions) {
  const { connection } = await connect(options);
  const { connectionClients } = await import('../../lambdas/sdk/client.js');
  const { findDeadLetterQueues } = await import(
    '../../lambdas/adapters/aws/queues/dead-letters.js'
  );
  const { sqs } = connectionClients(connection);
  const all = await findDeadLetterQueues(sqs, sourcesOf(connection));
  const which = options.queue;
  const queues = all.filter(
    (queue) => which === undefined || which === queue.kind || which === queue.name,
  );
  if (which !== undefined && queues.length === 0 && which !== 'ingest' && which !== 'tasks') {
    throw new ValidationError(
      '--queue',
      `no dead-letter queue '${which}'`,
      `use 'ingest', 'tasks' or one of: ${all.map((queue) => queue.name).join(', ') || '(none exist yet)'}`,
    );
  }
  return { sqs, queues };
}

function sourcesOf(connection: Connection) {
  return { ingestQueueUrl: connection.ingestQueueUrl, taskQueuePrefix: connection.taskQueuePrefix };
}

function queueJson(queue: DeadLetterQueue) {
  return { name: queue.name, kind: queue.kind, source: queue.sourceName, url: queue.url };
}
