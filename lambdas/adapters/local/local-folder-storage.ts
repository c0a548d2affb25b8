import { randomUUID } from 'node:crypto';
import type { Dirent } from 'node:fs';
import {
  copyFile,
  mkdir,
  readdir,
  readFile,
  realpath,
  rename,
  rm,
  stat,
  writeFile,
} from 'node:fs/promises';
import { dirname, resolve, sep } from 'node:path';
import type {
  ListEntry,
  ListOptions,
  ObjectInfo,
  ObjectStorage,
} from '../../core/ports/object-storage.js';
import {
  InvalidObjectKeyError,
  MissingObjectError,
  ObjectKeyConflictError,
  unlessMissing,
} from '../../core/ports/object-storage.js';
import { compareKeys, folderBelow, validateLocalObjectKey } from '../../core/storage/object-key.js';

/** Files being written are named so; listings skip them, so readers never see half an object. */
const PARTIAL_MARK = '.bucketflow-partial-';
const MISSING_CODES = new Set(['ENOENT', 'EISDIR', 'ENOTDIR']);

export interface LocalFolderStorageOptions {
  /** The folder that holds the objects; keys are paths relative to it. */
  readonly root: string;
}

/**
 * {@link ObjectStorage} on a local folder, the storage location of local
 * mode. Keys are `/`-separated paths below the root; a key that could leave
 * the root (`..`, absolute, backslash, NUL, empty segment), or that resolves
 * outside it through a symbolic link, is refused with InvalidObjectKeyError
 * by every operation. Writes go to a temporary file renamed into place,
 * so readers see whole objects. Only regular files are objects: symbolic
 * links and empty folders are not listed. A file and a folder cannot share
 * a path here (`a` and `a/b`), which S3 allows: such a write raises
 * ObjectKeyConflictError.
 *
 * @example
 * ```ts
 * const storage = new LocalFolderStorage({ root: '/data/incoming' });
 * await storage.upload('scenes/a.txt', 'hello');
 * ```
 */
export class LocalFolderStorage implements ObjectStorage {
  readonly #root: string;

  constructor(options: LocalFolderStorageOptions) {
    this.#root = resolve(options.root);
  }

  describe(key: string): string {
    return `${this.#root}${sep}${key.split('/').join(sep)}`;
  }

  async read(key: string): Promise<Uint8Array> {
    const path = await this.#containedPath(key);
    try {
      return new Uint8Array(await readFile(path));
    } catch (error) {
      throw this.#missingOr(error, key);
    }
  }

  async readText(key: string): Promise<string> {
    return new TextDecoder().decode(await this.read(key));
  }

  async head(key: string): Promise<ObjectInfo> {
    const path = await this.#containedPath(key);
    try {
      const stats = await stat(path);
      if (!stats.isFile()) throw new MissingObjectError(this.describe(key), key);
      const lastModified = Math.floor(stats.mtimeMs);
      return { key, size: stats.size, etag: folderEtag(stats.size, lastModified), lastModified };
    } catch (error) {
      throw this.#missingOr(error, key);
    }
  }

  async exists(key: string): Promise<boolean> {
    return unlessMissing(
      this.head(key).then(() => true),
      false,
    );
  }

  async *list(options: ListOptions = {}): AsyncIterable<ListEntry> {
    const prefix = options.prefix ?? '';
    const recursive = options.recursive ?? true;
    // Only the folder the prefix's complete segments name can hold matching keys.
    const base = prefix.slice(0, prefix.lastIndexOf('/') + 1);
    if (base !== '' && localKeyFails(base.slice(0, -1))) return;
    if (base !== '') await this.#containedPath(base.slice(0, -1), 'prefix');
    const keys = (await this.#walk(base)).filter((key) => key.startsWith(prefix)).sort(compareKeys);
    let lastFolder: string | undefined;
    for (const key of keys) {
      const folder = recursive ? undefined : folderBelow(key, prefix);
      if (folder !== undefined) {
        if (folder !== lastFolder) yield { key: folder, isFolder: true };
        lastFolder = folder;
        continue;
      }
      const info = await unlessMissing(this.head(key), undefined);
      if (info) yield { ...info, isFolder: false };
    }
  }

  async upload(key: string, body: Uint8Array | string): Promise<void> {
    const path = await this.#containedPath(key);
    await this.#place(key, path, (partial) => writeFile(partial, body));
  }

  async download(key: string, localPath: string): Promise<void> {
    const path = await this.#containedPath(key);
    await this.head(key);
    await mkdir(dirname(localPath), { recursive: true });
    const partial = `${localPath}${PARTIAL_MARK}${randomUUID().slice(0, 8)}`;
    try {
      await copyFile(path, partial);
      await rename(partial, localPath);
    } catch (error) {
      await rm(partial, { force: true });
      throw this.#missingOr(error, key);
    }
  }

  async move(from: string, to: string): Promise<void> {
    const source = await this.#containedPath(from, 'from');
    const target = await this.#containedPath(to, 'to');
    await this.head(from);
    if (source === target) return;
    await this.#makeParent(to, target);
    try {
      await rename(source, target);
    } catch (error) {
      if (errorCode(error) === 'ENOENT') throw this.#missingOr(error, from);
      throw this.#conflictOr(error, to);
    }
  }

  async delete(key: string): Promise<void> {
    const path = await this.#containedPath(key);
    try {
      if ((await stat(path)).isFile()) await rm(path, { force: true });
    } catch (error) {
      if (!MISSING_CODES.has(errorCode(error))) throw error;
    }
  }

  /** Keys of every regular file below `base` (a key prefix ending in `/`, or ''). */
  async #walk(base: string): Promise<string[]> {
    const keys: string[] = [];
    const visit = async (folderKey: string) => {
      let entries: Dirent[];
      try {
        entries = await readdir(resolve(this.#root, folderKey), { withFileTypes: true });
      } catch (error) {
        if (MISSING_CODES.has(errorCode(error))) return;
        throw error;
      }
      for (const entry of entries) {
        if (entry.name.includes(PARTIAL_MARK)) continue;
        const key = `${folderKey}${entry.name}`;
        if (entry.isDirectory()) await visit(`${key}/`);
        else if (entry.isFile()) keys.push(key);
      }
    };
    await visit(base);
    return keys;
  }

  /** Writes through a temporary sibling file renamed into place. */
  async #place(key: string, path: string, write: (partial: string) => Promise<void>) {
    await this.#makeParent(key, path);
    const partial = `${path}${PARTIAL_MARK}${randomUUID().slice(0, 8)}`;
    try {
      await write(partial);
      await rename(partial, path);
    } catch (error) {
      await rm(partial, { force: true });
      throw this.#conflictOr(error, key);
    }
  }

  async #makeParent(key: string, path: string): Promise<void> {
    try {
      await mkdir(dirname(path), { recursive: true });
    } catch (error) {
      throw this.#conflictOr(error, key);
    }
  }

  /**
   * The file of a key, refusing a key whose path, or the nearest part of it
   * that exists, resolves outside the root through a symbolic link. (A link
   * changed between this check and the operation is not caught: the folder
   * is the user's own.)
   */
  async #containedPath(key: string, field = 'key'): Promise<string> {
    const path = this.#path(key, field);
    const root = await this.#realRoot();
    for (let probe = path; ; probe = dirname(probe)) {
      let real: string;
      try {
        real = await realpath(probe);
      } catch (error) {
        if (MISSING_CODES.has(errorCode(error)) && probe !== this.#root) continue;
        if (MISSING_CODES.has(errorCode(error))) return path;
        throw error;
      }
      if (real !== root && !real.startsWith(`${root}${sep}`)) {
        throw new InvalidObjectKeyError(
          field,
          `${JSON.stringify(key)} resolves outside the folder ${this.#root} (through a symbolic link, to ${real})`,
          'remove the link, or use a key whose path stays inside the folder',
        );
      }
      return path;
    }
  }

  async #realRoot(): Promise<string> {
    try {
      return await realpath(this.#root);
    } catch {
      return this.#root;
    }
  }

  /** The file of a key, refusing any key that would resolve outside the root. */
  #path(key: string, field = 'key'): string {
    validateLocalObjectKey(key, field);
    const path = resolve(this.#root, ...key.split('/'));
    if (!path.startsWith(`${this.#root}${sep}`)) {
      throw new InvalidObjectKeyError(
        field,
        `${JSON.stringify(key)} resolves outside the folder ${this.#root}`,
        'use a relative path inside the folder',
      );
    }
    return path;
  }

  #missingOr(error: unknown, key: string): unknown {
    if (error instanceof MissingObjectError) return error;
    if (MISSING_CODES.has(errorCode(error))) {
      return new MissingObjectError(this.describe(key), key, { cause: error });
    }
    return error;
  }

  #conflictOr(error: unknown, key: string): unknown {
    const code = errorCode(error);
    if (code === 'ENOTDIR' || code === 'EEXIST') {
      return new ObjectKeyConflictError(this.describe(key), key, 'a folder on its path is a file', {
        cause: error,
      });
    }
    if (code === 'EISDIR' || code === 'ENOTEMPTY' || code === 'EPERM') {
      return new ObjectKeyConflictError(this.describe(key), key, 'a folder has this path', {
        cause: error,
      });
    }
    return error;
  }
}

/**
 * The entity tag of a file: its modification time (epoch ms) and size in
 * hex, as web servers derive one, since hashing every file would cost a
 * read. A file rewritten with other bytes gets another one; the folder
 * watcher's events and backfill listings carry the same.
 *
 * @example
 * ```ts
 * folderEtag(5, 1_700_000_000_000); // '18bcfe56800-5'
 * ```
 */
export function folderEtag(size: number, mtimeMs: number): string {
  return `${Math.floor(mtimeMs).toString(16)}-${size.toString(16)}`;
}

function errorCode(error: unknown): string {
  return (error as NodeJS.ErrnoException | undefined)?.code ?? '';
}

function localKeyFails(key: string): boolean {
  try {
    validateLocalObjectKey(key);
    return false;
  } catch {
    return true;
  }
}
