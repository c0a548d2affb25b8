import {
  closeSync,
  existsSync,
  fsyncSync,
  openSync,
  readFileSync,
  renameSync,
  writeSync,
} from 'node:fs';
import { DevStackError } from './errors.js';

/** Done records after which the file is rewritten with only what is pending. */
const COMPACT_AFTER_DONE = 5_000;

export interface IngestJournalOptions {
  /** Done entries after which the file is rewritten without them. @default 5000 */
  readonly compactAfter?: number | undefined;
}

/** An ingest queue message body waiting to be ingested. */
export interface JournalEntry {
  /** Stable across replays: the pump hands it to the handler as the delivery id. */
  readonly id: string;
  /** The message body (an EventBridge S3 event, as JSON). */
  readonly body: string;
}

type JournalRecord = { readonly put: string; readonly body: string } | { readonly done: string[] };

/**
 * The durable half of local mode's ingest queue. The SQS server keeps its
 * queues in memory, so every object event local mode acknowledges (an S3 PUT
 * answered, a file the folder watcher records) is first appended here and
 * flushed to disk; the pump appends every message it receives that is not
 * here yet, and marks what the handler ingested as done. After a crash, what
 * is not done is sent to the queue again; the handler's duplicate checks
 * make a replay of something already ingested harmless.
 *
 * The file is JSON Lines (`{"put":id,"body":…}` and `{"done":[ids]}`); a
 * torn last line (the process died while writing it) is ignored, as its
 * write was never acknowledged. Writes are synchronous, so a `put` is on
 * disk before the caller answers anyone.
 *
 * @example
 * ```ts
 * const journal = IngestJournal.open('.bucketflow/ingest-journal.jsonl');
 * journal.put([{ id: 'evt-1', body }]);
 * journal.done(['evt-1']);
 * ```
 */
export class IngestJournal {
  readonly #file: string;
  readonly #compactAfter: number;
  readonly #pending = new Map<string, string>();
  #fd: number;
  #doneSinceCompaction = 0;

  private constructor(file: string, options: IngestJournalOptions) {
    this.#file = file;
    this.#compactAfter = options.compactAfter ?? COMPACT_AFTER_DONE;
    this.#load();
    this.#fd = this.#rewrite();
  }

  /** Opens (or creates) the journal, keeping only what is not done. */
  static open(file: string, options: IngestJournalOptions = {}): IngestJournal {
    return new IngestJournal(file, options);
  }

  /** Entries not ingested yet, in the order they were put. */
  pending(): JournalEntry[] {
    return [...this.#pending].map(([id, body]) => ({ id, body }));
  }

  has(id: string): boolean {
    return this.#pending.has(id);
  }

  /** The body of a pending entry; undefined once it is done. */
  body(id: string): string | undefined {
    return this.#pending.get(id);
  }

  get size(): number {
    return this.#pending.size;
  }

  /** Appends entries and flushes them to disk before returning; ids already pending are skipped. */
  put(entries: readonly JournalEntry[]): void {
    const fresh = entries.filter((entry) => !this.#pending.has(entry.id));
    if (fresh.length === 0) return;
    this.#append(
      fresh.map((entry) => ({ put: entry.id, body: entry.body })),
      true,
    );
    for (const entry of fresh) this.#pending.set(entry.id, entry.body);
  }

  /**
   * Marks entries as ingested. Not flushed: losing a done record only
   * replays an ingested event, which the handler drops as a duplicate.
   */
  done(ids: readonly string[]): void {
    const known = ids.filter((id) => this.#pending.has(id));
    if (known.length === 0) return;
    this.#append([{ done: known }], false);
    for (const id of known) this.#pending.delete(id);
    this.#doneSinceCompaction += known.length;
    if (this.#doneSinceCompaction >= this.#compactAfter) {
      closeSync(this.#fd);
      this.#fd = this.#rewrite();
    }
  }

  close(): void {
    closeSync(this.#fd);
  }

  #append(records: readonly JournalRecord[], flush: boolean): void {
    writeAll(this.#fd, records.map((record) => `${JSON.stringify(record)}\n`).join(''));
    if (flush) fsyncSync(this.#fd);
  }

  #load(): void {
    if (!existsSync(this.#file)) return;
    const lines = readFileSync(this.#file, 'utf8').split('\n');
    for (const [index, line] of lines.entries()) {
      if (line === '') continue;
      let record: JournalRecord;
      try {
        record = JSON.parse(line) as JournalRecord;
      } catch (error) {
        // Only the last line can be torn: a write the process died in, never acknowledged.
        if (index >= lines.length - 2) break;
        throw new DevStackError(
          `${this.#file}: line ${index + 1} is not a journal record (${(error as Error).message}); ` +
            'move the file away to start without the events it holds',
        );
      }
      if ('put' in record) this.#pending.set(record.put, record.body);
      else for (const id of record.done) this.#pending.delete(id);
    }
  }

  /** Writes the pending entries to a new file, renames it over the journal, returns its fd. */
  #rewrite(): number {
    const temporary = `${this.#file}.${process.pid}.tmp`;
    const fd = openSync(temporary, 'w', 0o600);
    const text = [...this.#pending]
      .map(([id, body]) => `${JSON.stringify({ put: id, body })}\n`)
      .join('');
    writeAll(fd, text);
    fsyncSync(fd);
    closeSync(fd);
    renameSync(temporary, this.#file);
    this.#doneSinceCompaction = 0;
    return openSync(this.#file, 'a', 0o600);
  }
}

function writeAll(fd: number, text: string): void {
  const bytes = Buffer.from(text, 'utf8');
  let offset = 0;
  while (offset < bytes.length) offset += writeSync(fd, bytes, offset);
}
