import { randomUUID } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { S3EventBridgeEvent } from '../../lambdas/adapters/aws/events/s3-event-parsing.js';
import {
  folderEtag,
  LocalFolderStorage,
} from '../../lambdas/adapters/local/local-folder-storage.js';
import { versionSequencer } from '../../lambdas/core/events/delivery-version.js';
import { FOLDER_SCAN_MS } from './dev-constants.js';
import type { IngestSender } from './ingest-events.js';

/** A file as one scan saw it; equal observations in two scans in a row mean it is complete. */
interface Observation {
  readonly size: number;
  readonly mtimeMs: number;
}

interface FolderState {
  /** What was ingested last, per key: a restart does not ingest it again. */
  readonly ingested: Map<string, Observation>;
  /** What the previous scan saw of files not ingested in that form yet. */
  readonly pending: Map<string, Observation>;
}

export interface WatchedFolder {
  /** The location name: object events carry it as their bucket. */
  readonly name: string;
  readonly path: string;
}

export interface FolderWatcherOptions {
  readonly folders: readonly WatchedFolder[];
  /**
   * Takes the events of a scan; a file is recorded as announced once it
   * resolves, so it must resolve only once the events are durable (local
   * mode journals them). A rejection announces them again next scan.
   */
  readonly send: IngestSender;
  /** JSON file remembering what was ingested; none: everything is new after a restart. */
  readonly stateFile?: string | undefined;
  /** @default 500 */
  readonly intervalMs?: number | undefined;
  /** Called for each event before it is sent. */
  readonly onEvent?: (event: S3EventBridgeEvent) => void;
  readonly onError?: (error: unknown) => void;
  /** Epoch ms, for the time of deletion events. @default Date.now */
  readonly clock?: () => number;
}

/**
 * Watches local-folder locations by polling, and turns what changes into the
 * EventBridge S3 events the ingest queue takes (bucket = location name). A
 * file is announced as created once two scans in a row see the same size and
 * modification time, so a file still being copied is not ingested half
 * written; a file changed later is announced again. Files that disappear are
 * announced as deleted. What was announced is kept in `stateFile`, written
 * only after `send` resolved, so a restart announces only what changed
 * while it was down and never skips a file whose event was not taken. The
 * ETag and sequencer are derived from the modification time and size, the
 * event id is unique: announcing a file twice (a crash between sending and
 * saving the state) is the same delivery to the delivery ledger and submits
 * no second job.
 *
 * @example
 * ```ts
 * const watcher = new FolderWatcher({ folders: [{ name: 'inbox', path: '/data/inbox' }], send });
 * await watcher.start();
 * await watcher.stop();
 * ```
 */
export class FolderWatcher {
  readonly #options: FolderWatcherOptions;
  readonly #states = new Map<string, FolderState>();
  #timer: NodeJS.Timeout | undefined;
  #scanning: Promise<number> | undefined;
  #stopped = true;
  #loaded = false;

  constructor(options: FolderWatcherOptions) {
    this.#options = options;
  }

  /** Creates the folders, loads the state and scans every `intervalMs` until {@link stop}. */
  async start(): Promise<void> {
    await Promise.all(
      this.#options.folders.map((folder) => mkdir(folder.path, { recursive: true })),
    );
    await this.#load();
    this.#stopped = false;
    this.#schedule(0);
  }

  /** Stops scanning; waits for a scan under way. */
  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer) clearTimeout(this.#timer);
    await this.#scanning;
  }

  /** One scan of every folder; returns how many events it sent. */
  async scan(): Promise<number> {
    await this.#load();
    const events: S3EventBridgeEvent[] = [];
    const updates: Array<() => void> = [];
    for (const folder of this.#options.folders) {
      const state = this.#state(folder.name);
      const seen = new Map<string, Observation>();
      for await (const entry of new LocalFolderStorage({ root: folder.path }).list()) {
        if (entry.isFolder) continue;
        seen.set(entry.key, { size: entry.size, mtimeMs: entry.lastModified });
      }
      const at = (this.#options.clock ?? Date.now)();
      for (const [key, now] of seen) {
        if (same(state.ingested.get(key), now)) {
          state.pending.delete(key);
          continue;
        }
        if (!same(state.pending.get(key), now)) {
          state.pending.set(key, now);
          continue;
        }
        events.push(objectEvent(folder.name, key, 'created', now, at));
        updates.push(() => {
          state.ingested.set(key, now);
          state.pending.delete(key);
        });
      }
      for (const [key, last] of state.ingested) {
        if (seen.has(key)) continue;
        events.push(objectEvent(folder.name, key, 'deleted', last, at));
        updates.push(() => state.ingested.delete(key));
      }
      for (const key of state.pending.keys()) if (!seen.has(key)) state.pending.delete(key);
    }
    if (events.length === 0) return 0;
    for (const event of events) this.#options.onEvent?.(event);
    await this.#options.send(events);
    for (const update of updates) update();
    await this.#save();
    return events.length;
  }

  #schedule(delay: number): void {
    if (this.#stopped) return;
    this.#timer = setTimeout(() => {
      this.#scanning = this.scan().catch((error: unknown) => {
        this.#options.onError?.(error);
        return 0;
      });
      void this.#scanning.then(() => this.#schedule(this.#options.intervalMs ?? FOLDER_SCAN_MS));
    }, delay);
  }

  #state(name: string): FolderState {
    let state = this.#states.get(name);
    if (!state) {
      state = { ingested: new Map(), pending: new Map() };
      this.#states.set(name, state);
    }
    return state;
  }

  async #load(): Promise<void> {
    if (this.#loaded) return;
    this.#loaded = true;
    const file = this.#options.stateFile;
    if (!file) return;
    let saved: { folders?: Record<string, Record<string, [number, number]>> };
    try {
      saved = JSON.parse(await readFile(file, 'utf8'));
    } catch {
      return;
    }
    for (const [name, files] of Object.entries(saved.folders ?? {})) {
      const state = this.#state(name);
      for (const [key, [size, mtimeMs]] of Object.entries(files)) {
        state.ingested.set(key, { size, mtimeMs });
      }
    }
  }

  async #save(): Promise<void> {
    const file = this.#options.stateFile;
    if (!file) return;
    const folders: Record<string, Record<string, [number, number]>> = {};
    for (const [name, state] of this.#states) {
      folders[name] = Object.fromEntries(
        [...state.ingested].map(([key, seen]) => [key, [seen.size, seen.mtimeMs]]),
      );
    }
    await mkdir(dirname(file), { recursive: true });
    const temporary = `${file}.${process.pid}.tmp`;
    await writeFile(temporary, JSON.stringify({ version: 1, folders }));
    await rename(temporary, file);
  }
}

function same(a: Observation | undefined, b: Observation): boolean {
  return a !== undefined && a.size === b.size && a.mtimeMs === b.mtimeMs;
}

/**
 * The EventBridge event S3 would send for this file, timed `at` (when the
 * watcher saw it: a moved-in file keeps an old modification time, which
 * would put its batch deadlines in the past). The sequencer orders a key's
 * events like S3's (hex, compared as strings): modification time (deletion
 * time for a deletion), then size.
 */
export function objectEvent(
  location: string,
  key: string,
  type: 'created' | 'deleted',
  seen: Observation,
  at: number,
): S3EventBridgeEvent {
  // A deletion is timed when it was seen: the file's own time is gone with it.
  const etag = folderEtag(seen.size, seen.mtimeMs);
  const sequencer = versionSequencer(
    type === 'created'
      ? { lastModified: seen.mtimeMs, size: seen.size, etag }
      : { lastModified: at, size: seen.size },
  );
  const created = type === 'created';
  return {
    version: '0',
    id: randomUUID(),
    'detail-type': created ? 'Object Created' : 'Object Deleted',
    source: 'aws.s3',
    account: '000000000000',
    time: new Date(at).toISOString(),
    region: 'local',
    resources: [],
    detail: {
      version: '0',
      bucket: { name: location },
      object: created ? { key, size: seen.size, etag, sequencer } : { key, sequencer },
      reason: created ? 'PutObject' : 'DeleteObject',
    },
  };
}
