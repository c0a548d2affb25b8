import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { MessageAttributeValue, SQSClient } from '@aws-sdk/client-sqs';
import {
  type DeadLetter,
  type DeadLetterQueue,
  type DeadLetterSources,
  findDeadLetterQueues,
  messageCount,
  peekMessages,
} from '../../lambdas/adapters/aws/queues/dead-letters.js';
import { findQueueUrl } from '../../lambdas/adapters/aws/queues/queue-setup.js';
import { sendMessages } from '../../lambdas/adapters/aws/queues/send-messages.js';
import {
  type DeadLetterSummary,
  describeDeadLetter,
  summarizeDeadLetter,
} from '../commands/dlq-format.js';
import { JOURNAL_ID_ATTRIBUTE } from './durable-ingest.js';

/** How often the dead-letter queues are looked at. */
const CHECK_MS = 2_000;
/** Messages kept per queue in the snapshot. */
const SNAPSHOT_LIMIT = 10_000;
/** Lines per check; the rest are counted in one more line. */
const MAX_LINES = 10;

/** One dead letter as the snapshot keeps it. */
interface SavedLetter {
  readonly id: string;
  readonly body: string;
  readonly attributes: Readonly<Record<string, MessageAttributeValue>>;
}

interface Snapshot {
  readonly queues: Record<
    string,
    { readonly kind: DeadLetterQueue['kind']; readonly source: string; letters: SavedLetter[] }
  >;
}

export interface DeadLetterMonitorOptions {
  readonly sqs: SQSClient;
  readonly sources: DeadLetterSources;
  /** Where the snapshot is kept (`dead-letters.json` in the data directory). */
  readonly file: string;
  /** One line per newly dead-lettered message. */
  readonly onDeadLetter: (line: string) => void;
  /** Creates a missing task dead-letter queue (named), to put its saved letters back. */
  readonly ensureTaskDeadLetterQueue: (name: string) => Promise<void>;
  readonly onError?: (error: unknown) => void;
  /** @default 2000 */
  readonly intervalMs?: number;
}

/**
 * Keeps local mode's dead letters across restarts and says when one
 * arrives. The SQS server holds its queues in memory, so every two seconds
 * this looks at the dead-letter queues (the ingest queue's and each task
 * queue's), prints one line per message that arrived since, and saves what
 * they hold to a file; on start, {@link restore} puts the saved messages
 * back. A message dead-lettered in the last seconds before a crash is not
 * in the file: an ingest event then comes back from the journal, a task
 * through the re-send of waiting tasks, both to be tried again.
 *
 * @example
 * ```ts
 * const monitor = new DeadLetterMonitor({ sqs, sources, file, onDeadLetter: (line) => log.line('dead', line), ensureTaskDeadLetterQueue });
 * const parked = await monitor.restore();
 * monitor.start();
 * ```
 */
export class DeadLetterMonitor {
  readonly #options: DeadLetterMonitorOptions;
  /** Letter ids per queue name, as last seen. */
  readonly #known = new Map<string, Set<string>>();
  readonly #counts = new Map<string, number>();
  /** What the last look found, per queue name. */
  readonly #letters = new Map<string, DeadLetterSummary[]>();
  #snapshot: Snapshot = { queues: {} };
  #timer: NodeJS.Timeout | undefined;
  #checking: Promise<void> | undefined;
  #stopped = true;

  constructor(options: DeadLetterMonitorOptions) {
    this.#options = options;
  }

  /**
   * Puts the saved dead letters back into their queues (creating task
   * queues that do not exist yet); returns the journal ids of the ingest
   * events among them, which the journal must not send again.
   */
  async restore(): Promise<Set<string>> {
    const parked = new Set<string>();
    let saved: Snapshot;
    try {
      saved = JSON.parse(await readFile(this.#options.file, 'utf8')) as Snapshot;
    } catch {
      return parked;
    }
    const { sqs } = this.#options;
    for (const [name, queue] of Object.entries(saved.queues ?? {})) {
      if (queue.letters.length === 0) continue;
      let url = await findQueueUrl(sqs, name);
      if (url === undefined && queue.kind === 'tasks') {
        await this.#options.ensureTaskDeadLetterQueue(name);
        url = await findQueueUrl(sqs, name);
      }
      if (url === undefined) continue;
      const refused = await sendMessages(
        sqs,
        url,
        queue.letters.map((letter) => ({ body: letter.body, attributes: letter.attributes })),
      );
      if (refused.length > 0) {
        this.#options.onError?.(
          new Error(`${refused.length} dead letter(s) of ${name} could not be restored`),
        );
      }
      this.#known.set(name, new Set(queue.letters.map((letter) => letter.id)));
      if (queue.kind === 'ingest') {
        for (const letter of queue.letters) {
          const journalId = letter.attributes[JOURNAL_ID_ATTRIBUTE]?.StringValue;
          if (journalId) parked.add(journalId);
        }
      }
    }
    this.#snapshot = saved;
    return parked;
  }

  /** The dead letters as last seen (at most a check period old), oldest first. */
  letters(): DeadLetterSummary[] {
    return [...this.#letters.values()]
      .flat()
      .sort((a, b) => (a.sentAt ?? '').localeCompare(b.sentAt ?? ''));
  }

  start(): void {
    this.#stopped = false;
    this.#schedule(0);
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer) clearTimeout(this.#timer);
    await this.#checking;
  }

  /** One look at every dead-letter queue: lines for new letters, and the snapshot saved. */
  async check(): Promise<void> {
    const queues = await findDeadLetterQueues(this.#options.sqs, this.#options.sources);
    let changed = false;
    let lines = 0;
    let more = 0;
    for (const queue of queues) {
      const count = await messageCount(this.#options.sqs, queue.url);
      const known = this.#known.get(queue.name) ?? new Set<string>();
      if (count === this.#counts.get(queue.name) && count === known.size) continue;
      const letters =
        count === 0 ? [] : await peekMessages(this.#options.sqs, queue.url, SNAPSHOT_LIMIT);
      this.#counts.set(queue.name, letters.length);
      const seen = new Set<string>();
      for (const letter of letters) {
        const id = letterId(letter);
        seen.add(id);
        if (known.has(id)) continue;
        if (lines < MAX_LINES) {
          this.#options.onDeadLetter(
            `${describeDeadLetter(queue, letter)} — see bucketflow dlq list`,
          );
          lines++;
        } else {
          more++;
        }
      }
      this.#known.set(queue.name, seen);
      this.#letters.set(
        queue.name,
        letters.map((letter) => summarizeDeadLetter(queue, letter)),
      );
      this.#snapshot.queues[queue.name] = {
        kind: queue.kind,
        source: queue.sourceName,
        letters: letters.map((letter) => ({
          id: letterId(letter),
          body: letter.body,
          attributes: letter.attributes,
        })),
      };
      changed = true;
    }
    if (more > 0) this.#options.onDeadLetter(`… and ${more} more dead-lettered message(s)`);
    if (changed) await this.#save();
  }

  #schedule(delay: number): void {
    if (this.#stopped) return;
    this.#timer = setTimeout(() => {
      this.#checking = this.check()
        .catch((error: unknown) => this.#options.onError?.(error))
        .finally(() => this.#schedule(this.#options.intervalMs ?? CHECK_MS));
    }, delay);
  }

  async #save(): Promise<void> {
    const file = this.#options.file;
    await mkdir(dirname(file), { recursive: true });
    const temporary = `${file}.${process.pid}.tmp`;
    await writeFile(temporary, JSON.stringify(this.#snapshot), { mode: 0o600 });
    await rename(temporary, file);
  }
}

/** What identifies a letter across restores (which give it a new message id). */
function letterId(letter: DeadLetter): string {
  return (
    letter.attributes[JOURNAL_ID_ATTRIBUTE]?.StringValue ??
    createHash('sha256').update(letter.body).digest('base64url').slice(0, 16)
  );
}
