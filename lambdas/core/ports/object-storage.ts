import { BucketflowError, ValidationError } from '../errors.js';

/** An object in a storage location. */
export interface ObjectInfo {
  /** Key relative to the location, `/`-separated, e.g. `scenes/2025/a.tif`. */
  readonly key: string;
  /** Bytes. */
  readonly size: number;
  /** The store's entity tag (S3: quoted MD5 for single-part uploads; local folders: modification time and size). */
  readonly etag?: string | undefined;
  /** Epoch ms. */
  readonly lastModified: number;
}

/** What `list` yields: objects, and in a non-recursive listing the folders below the prefix. */
export type ListEntry =
  | (ObjectInfo & { readonly isFolder: false })
  /** A common prefix, ending in `/`, e.g. `scenes/2025/`; it holds at least one object. */
  | { readonly key: string; readonly isFolder: true };

export interface ListOptions {
  /**
   * Only keys that start with this string (a plain prefix, as in S3: `a/b`
   * matches `a/b.txt` and `a/bc/d`). @default '' (everything)
   */
  readonly prefix?: string | undefined;
  /**
   * True: every object below the prefix. False: the objects directly below
   * and one folder entry per deeper `/`-separated level, like a file browser.
   * @default true
   */
  readonly recursive?: boolean | undefined;
}

/**
 * The operations on one storage location (an S3 bucket, a local folder)
 * that tasks and the CLI need, modelled on Scale's storage brokers: read,
 * list, upload, download, move, delete. Keys are `/`-separated and relative
 * to the location. A missing object raises MissingObjectError everywhere
 * except `delete` (deleting nothing succeeds) and `exists`.
 *
 * Listings are in ascending UTF-8 byte order of keys (S3's order), folders
 * interleaved where their prefix sorts, and paginated under the hood.
 *
 * @example
 * ```ts
 * for await (const entry of storage.list({ prefix: 'scenes/', recursive: false })) {
 *   if (!entry.isFolder) console.log(entry.key, entry.size);
 * }
 * await storage.move('incoming/a.tif', 'done/a.tif');
 * ```
 */
export interface ObjectStorage {
  /** A printable address of a key, e.g. `s3://bucket/key`, for messages. */
  describe(key: string): string;
  read(key: string): Promise<Uint8Array>;
  /** The object as UTF-8 text. */
  readText(key: string): Promise<string>;
  head(key: string): Promise<ObjectInfo>;
  exists(key: string): Promise<boolean>;
  list(options?: ListOptions): AsyncIterable<ListEntry>;
  /** Creates or replaces the object. Strings are written as UTF-8. */
  upload(key: string, body: Uint8Array | string): Promise<void>;
  /** Writes the object to a local file (parent folders created); no partial file is left on failure. */
  download(key: string, localPath: string): Promise<void>;
  /** Moves an object, replacing `to` if it exists. */
  move(from: string, to: string): Promise<void>;
  /** Deletes an object; succeeds when there is none. */
  delete(key: string): Promise<void>;
}

/**
 * No object has this key (Scale's MissingFile). The message names the full
 * address: `s3://bucket/key: no such object`.
 */
export class MissingObjectError extends BucketflowError {
  readonly key: string;
  readonly address: string;

  constructor(address: string, key: string, options?: ErrorOptions) {
    super(`${address}: no such object`, options);
    this.key = key;
    this.address = address;
  }
}

/**
 * What `pending` resolves to, or `absent` when it rejects with
 * {@link MissingObjectError}: for callers to whom a missing object is an
 * answer, not a failure. Other errors propagate.
 *
 * @example
 * ```ts
 * const bytes = await unlessMissing(storage.read('a.tif'), undefined); // undefined when there is no a.tif
 * ```
 */
export async function unlessMissing<T, A>(pending: Promise<T>, absent: A): Promise<T | A> {
  try {
    return await pending;
  } catch (error) {
    if (error instanceof MissingObjectError) return absent;
    throw error;
  }
}

/**
 * A key cannot name an object in this location: empty, too long, or (in a
 * local folder) a path that would leave the folder.
 */
export class InvalidObjectKeyError extends ValidationError {}

/**
 * The key collides with the layout of a local folder: a file and a folder
 * cannot share a path (`a` and `a/b`), though S3 allows both keys.
 */
export class ObjectKeyConflictError extends BucketflowError {
  readonly key: string;

  constructor(address: string, key: string, problem: string, options?: ErrorOptions) {
    super(
      `${address}: ${problem} (in a local folder a file and a folder cannot share a path; rename one of them)`,
      options,
    );
    this.key = key;
  }
}
