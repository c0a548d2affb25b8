import type { AwsClients } from '../../lambdas/adapters/aws/aws-clients.js';
import {
  objectEventToEventBridge,
  parseS3EventBridgeMessage,
} from '../../lambdas/adapters/aws/events/s3-event-parsing.js';
import type { StorageLocation } from '../../lambdas/core/automations/storage-location.js';
import { deliveryVersion } from '../../lambdas/core/events/delivery-version.js';
import type { Connection } from '../../lambdas/sdk/connection.js';
import { BACKFILL_REASON, backfillLocation } from '../commands/backfill-run.js';
import { FOLDER_SCAN_MS } from './dev-constants.js';
import type { DurableIngest } from './durable-ingest.js';
import type { JournalEntry } from './ingest-journal.js';
import type { LiveLog } from './live-log.js';

/**
 * A file changed this recently may still be being written: the start-up
 * backfill leaves it to the folder watcher, which waits for two equal scans.
 */
const FOLDER_SETTLE_MS = 4 * FOLDER_SCAN_MS;

export interface RecoveryOptions {
  readonly log: LiveLog;
  /** When the process started, for the time recovery took. */
  readonly startedAt: number;
  /** Journal entries replayed at start (not those parked in the DLQ). */
  readonly replayed: readonly JournalEntry[];
  /** Epoch ms. @default Date.now */
  readonly clock?: () => number;
}

/** What the start-up backfill needs. */
export interface StartupBackfill {
  readonly clients: AwsClients;
  readonly connection: Connection;
  readonly locations: readonly StorageLocation[];
  readonly ingest: DurableIngest;
}

/**
 * What `bucketflow dev` does to recover what a crash left undone: the
 * journal's events are replayed (by the durable ingest), then every location
 * is backfilled, so an object stored while its event never reached the
 * journal (the process died in between) is ingested too; versions the
 * replay is bringing are not sent twice. One line says what was found, one
 * more how long it took once the handler ingested all of it.
 *
 * @example
 * ```ts
 * const recovery = new Recovery({ log, startedAt, replayed: journal.pending() });
 * await recovery.backfill({ clients, connection, locations, ingest });
 * ```
 */
export class Recovery {
  readonly #options: RecoveryOptions;
  readonly #awaited = new Set<string>();
  readonly #clock: () => number;
  #replayed: number;
  #backfilled = 0;
  #backfillDone = false;
  #reported = false;

  constructor(options: RecoveryOptions) {
    this.#options = options;
    this.#clock = options.clock ?? Date.now;
    for (const entry of options.replayed) this.#awaited.add(entry.id);
    this.#replayed = this.#awaited.size;
  }

  /** Journal ids the pump marked done. */
  ingested(ids: readonly string[]): void {
    for (const id of ids) this.#awaited.delete(id);
    this.#reportWhenDone();
  }

  /** Ids that will not come (restored into the dead-letter queue). */
  forget(ids: Iterable<string>): void {
    for (const id of ids) if (this.#awaited.delete(id)) this.#replayed--;
  }

  /** Backfills every location in turn; errors are logged, not thrown. */
  async backfill(startup: StartupBackfill): Promise<void> {
    const { log } = this.#options;
    const replaying = this.#awaited.size;
    if (replaying > 0) log.line('recover', `replaying ${replaying} journaled event(s)`);
    const inFlight = versionsOf(this.#options.replayed);
    for (const location of startup.locations) {
      try {
        const summary = await backfillLocation({
          clients: startup.clients,
          connection: startup.connection,
          location: location.name,
          settleMs: location.kind === 'local-folder' ? FOLDER_SETTLE_MS : 0,
          now: this.#clock(),
          inFlight: (bucket, key, version) => inFlight.has(versionId(bucket, key, version)),
          send: async (events) => {
            const ids = startup.ingest.accept(
              events.map((event) =>
                objectEventToEventBridge(event, {
                  reason: BACKFILL_REASON,
                  region: startup.connection.endpoints.region,
                }),
              ),
            );
            for (const id of ids) this.#awaited.add(id);
          },
        });
        this.#backfilled += summary.ingested;
        if (summary.ingested > 0) {
          log.line(
            'recover',
            `backfill ${location.name}: ${summary.listed} listed, ${summary.alreadySeen} already seen, ${summary.ingested} never ingested → sent`,
          );
        }
      } catch (error) {
        log.line(
          'error',
          `backfill of ${location.name} at start: ${error instanceof Error ? error.message : String(error)}`,
        );
      }
    }
    this.#backfillDone = true;
    this.#reportWhenDone();
  }

  #reportWhenDone(): void {
    if (this.#reported || !this.#backfillDone || this.#awaited.size > 0) return;
    this.#reported = true;
    const total = this.#replayed + this.#backfilled;
    if (total === 0) return;
    const seconds = ((this.#clock() - this.#options.startedAt) / 1000).toFixed(1);
    this.#options.log.line(
      'recover',
      `recovered ${total} event(s) (${this.#replayed} from the journal, ${this.#backfilled} by backfill) ${seconds} s after start`,
    );
  }
}

function versionsOf(entries: readonly JournalEntry[]): Set<string> {
  const versions = new Set<string>();
  for (const entry of entries) {
    try {
      const event = parseS3EventBridgeMessage(entry.body);
      const version = deliveryVersion(event);
      if (version !== undefined) versions.add(versionId(event.bucket, event.key, version));
    } catch {
      // Not an object event: the handler reports it.
    }
  }
  return versions;
}

function versionId(bucket: string, key: string, version: string): string {
  return JSON.stringify([bucket, key, version]);
}
